using System.Diagnostics;
using System.Diagnostics.Metrics;
using Fleet.Api.Metrics;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Fleet.Api.Hosting;

/// <summary>
/// OpenTelemetry for the Api with OpenTelemetry.Extensions.Hosting: traces, metrics and logs exported with OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the other standard <c>OTEL_*</c> variables itself).
/// The instrumentation packages name and tag requests (<c>GET /api/v1/links/{id}</c>, <c>http.route</c>), outgoing
/// HTTP calls, Npgsql commands and runtime counters; Fleet's own sources and meters are all named <c>Fleet.*</c>.
/// With <c>Fleet:Metrics:Enabled</c> the live link and member metrics are added (<see cref="MetricsHosting"/>): exported
/// with OTLP when an endpoint is set, and served to Prometheus either way.
/// </summary>
public static class FleetTelemetry
{
    /// <summary>The Api's own ActivitySource and Meter name.</summary>
    public const string Name = "Fleet.Api";

    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Fleet.Api's activities (spans).</summary>
    public static ActivitySource Source { get; } = new(Name);

    /// <summary>Fleet.Api's instruments.</summary>
    public static Meter Meter { get; } = new(Name);

    /// <summary>Every Fleet source and meter (<c>Fleet.Api</c>, <c>Fleet.Api.Ingest</c>…).</summary>
    private const string FleetNames = "Fleet.*";

    /// <summary>Framework meters that no instrumentation package adds: Kestrel, SignalR, EF Core.</summary>
    private static readonly string[] s_frameworkMeters =
    [
        "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections", "Microsoft.AspNetCore.SignalR",
        "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication", "Microsoft.AspNetCore.Authorization", "Microsoft.EntityFrameworkCore",
    ];

    /// <summary>
    /// Registers OpenTelemetry when an OTLP endpoint is configured or the live metrics are enabled; does nothing
    /// otherwise.
    /// </summary>
    public static WebApplicationBuilder AddFleetTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[EndpointVariable]);
        var live = MetricsHosting.IsEnabled(builder.Configuration);
        if (!otlp && !live)
        {
            return builder;
        }

        var version = typeof(FleetTelemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("fleet-api", serviceVersion: version, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId));
        if (live)
        {
            telemetry.WithMetrics(metrics => metrics.AddFleetLiveMetrics(builder.Configuration));
        }

        if (!otlp)
        {
            return builder;
        }

        telemetry
            .WithTracing(tracing => tracing
                .AddSource(FleetNames)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddMeter(FleetNames)
                .AddMeter(s_frameworkMeters)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation())
            .WithLogging(_ => { }, logging => logging.IncludeScopes = true)
            .UseOtlpExporter();
        return builder;
    }
}
