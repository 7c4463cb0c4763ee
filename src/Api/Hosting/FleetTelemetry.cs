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
