using Fleet.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Fleet.Api.Metrics;

/// <summary>
/// Wiring of the live metrics: <c>builder.AddFleetMetrics()</c> (options, always validated; <see cref="LiveCounters"/>,
/// a no-op unless enabled; the catalog and instruments only when <c>Fleet:Metrics:Enabled</c>),
/// <see cref="AddFleetLiveMetrics"/> on the Api's MeterProvider (FleetTelemetry) and <c>app.MapFleetMetrics()</c> (the
/// Prometheus scrape endpoint, API keys of role <c>metrics</c> only).
/// </summary>
public static class MetricsHosting
{
    /// <summary>Whether the configuration turns the live metrics on (read before the container is built).</summary>
    public static bool IsEnabled(IConfiguration configuration) =>
        configuration.GetSection(MetricsOptions.Section).GetValue<bool>(nameof(MetricsOptions.Enabled));

    public static WebApplicationBuilder AddFleetMetrics(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();

        // Always there, so the live fanout and the agent hub need not ask; it keeps nothing while disabled.
        services.AddSingleton<LiveCounters>();
        if (IsEnabled(builder.Configuration))
        {
            services.AddSingleton<MetricsCatalog>();
            services.AddHostedService(sp => sp.GetRequiredService<MetricsCatalog>());
            services.AddSingleton<FleetLiveMetrics>();
        }

        return builder;
    }

    /// <summary>
    /// The live meter with a cardinality limit that fits <see cref="MetricsOptions.MaxMembers"/> (the SDK's default of
    /// 2,000 points per metric would fold a larger fleet into one overflow series), and the Prometheus exporter.
    /// </summary>
    public static MeterProviderBuilder AddFleetLiveMetrics(this MeterProviderBuilder metrics, IConfiguration configuration)
    {
        var options = configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();

        // Two directions per member, plus room for the overflow series. Unvalidated here (this runs before the options
        // validator), so clamp what the validator will refuse anyway.
        var limit = (Math.Clamp(options.MaxMembers, 1, 1_000_000) * 2) + 16;
        metrics.AddMeter(FleetLiveMetrics.MeterName);
        metrics.AddView(instrument => instrument.Meter.Name == FleetLiveMetrics.MeterName
            ? new MetricStreamConfiguration { CardinalityLimit = limit }
            : null);
        if (!string.IsNullOrEmpty(options.ScrapePath))
        {
            metrics.AddPrometheusExporter();
        }

        return metrics;
    }

    public static WebApplication MapFleetMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        // The instruments exist once this singleton does.
        app.Services.GetRequiredService<FleetLiveMetrics>();
        if (!string.IsNullOrEmpty(options.ScrapePath))
        {
            // Bearer only: Prometheus sends 'Authorization: Bearer fleet_k_…' of a metrics-role key and gets 401/403
            // otherwise (no cookie, no redirect to the login page). That role opens nothing else.
            app.MapPrometheusScrapingEndpoint(options.ScrapePath)
                .RequireAuthorization(new AuthorizeAttribute
                {
                    Policy = FleetPolicies.Metrics,
                    AuthenticationSchemes = FleetAuthenticationSchemes.Bearer,
                })
                .DisableRateLimiting()
                .ExcludeFromDescription();
        }

        return app;
    }
}
