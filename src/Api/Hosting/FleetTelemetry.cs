using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Fleet.Api.Hosting;

/// <summary>
/// OpenTelemetry for the Api: traces, metrics and logs exported with OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
/// set (the exporter reads the standard <c>OTEL_*</c> variables itself). OpenTelemetry.Extensions.Hosting does not
/// restore here, so the providers are built with <c>Sdk.Create…Builder()</c> and owned by the DI container, which
/// disposes (and so flushes) them at shutdown. ASP.NET Core, Kestrel, SignalR and Npgsql emit natively.
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

    private static readonly string[] s_sources = [Name, "Microsoft.AspNetCore", "Npgsql"];

    private static readonly string[] s_meters =
    [
        Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication", "Microsoft.AspNetCore.Authorization", "Microsoft.AspNetCore.SignalR",
        "Microsoft.EntityFrameworkCore", "Npgsql", "System.Runtime",
    ];

    /// <summary>Registers the providers when an OTLP endpoint is configured; does nothing otherwise.</summary>
    public static WebApplicationBuilder AddFleetTelemetry(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[EndpointVariable]))
        {
            return builder;
        }

        var version = typeof(FleetTelemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        void Resource(ResourceBuilder r) => r.AddService("fleet-api", serviceVersion: version, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId);

        builder.Services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(Resource)
            .AddSource(s_sources)
            .AddOtlpExporter()
            .Build());
        builder.Services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(Resource)
            .AddMeter(s_meters)
            .AddOtlpExporter()
            .Build());
        builder.Logging.AddOpenTelemetry(o =>
        {
            var resource = ResourceBuilder.CreateDefault();
            Resource(resource);
            o.SetResourceBuilder(resource);
            o.IncludeScopes = true;
            o.AddOtlpExporter();
        });
        builder.Services.AddHostedService<TelemetryStarter>();
        return builder;
    }

    /// <summary>
    /// Puts the HTTP semantic-convention attributes on ASP.NET Core's request activity (the instrumentation package
    /// that usually does this does not restore here): name <c>GET /api/v1/links/{id}</c>, method, route, path, status.
    /// </summary>
    public static IApplicationBuilder UseRequestTelemetry(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var activity = Activity.Current;
            if (activity is null || !activity.IsAllDataRequested)
            {
                await next(context);
                return;
            }

            try
            {
                await next(context);
            }
            finally
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
                var method = context.Request.Method;
                activity.DisplayName = route is null ? method : $"{method} {route}";
                activity.SetTag("http.request.method", method);
                activity.SetTag("url.path", context.Request.Path.Value);
                activity.SetTag("url.scheme", context.Request.Scheme);
                activity.SetTag("http.response.status_code", context.Response.StatusCode);
                if (route is not null)
                {
                    activity.SetTag("http.route", route);
                }

                if (context.Response.StatusCode >= 500)
                {
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }
        });

    /// <summary>Creates the providers at start (they listen from then on); the container disposes them at shutdown.</summary>
    private sealed class TelemetryStarter(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            services.GetRequiredService<TracerProvider>();
            services.GetRequiredService<MeterProvider>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
