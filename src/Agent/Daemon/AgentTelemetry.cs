using System.Collections;
using System.Diagnostics.Metrics;
using Fleet.Agent.Hub;
using Fleet.Agent.Identity;
using Fleet.Agent.Queue;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Fleet.Agent.Daemon;

/// <summary>
/// The daemon's own OpenTelemetry: traces (HTTP calls, SignalR invocations), metrics (queue, connection, HTTP, runtime)
/// and logs, exported with OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, like the Api's. The service is
/// <c>fleet-agent</c> with the host id as its instance, so a collector tells the agents apart.
/// </summary>
public static class AgentTelemetry
{
    /// <summary>The agent's meter.</summary>
    public const string MeterName = "Fleet.Agent";

    /// <summary>Switches export on.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Registers OpenTelemetry when <see cref="EndpointVariable"/> is set in <paramref name="environment"/> or as a
    /// top-level key of the configuration file (the package's <c>/etc/fleet-agent/agent.json</c>, so one file configures
    /// the agent wherever it runs). The daemon's configuration reads only <c>FLEET_AGENT_*</c> variables, so the standard
    /// <c>OTEL_*</c> ones are added here for the exporter to find; they win over the file.
    /// </summary>
    public static void AddAgentTelemetry(this HostApplicationBuilder builder, AgentIdentity identity, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(environment);
        var otel = environment.Cast<DictionaryEntry>()
            .Where(e => e.Key is string name && name.StartsWith("OTEL_", StringComparison.Ordinal))
            .Select(e => KeyValuePair.Create((string)e.Key, e.Value as string))
            .ToList();
        builder.Configuration.AddInMemoryCollection(otel);
        if (string.IsNullOrWhiteSpace(builder.Configuration[EndpointVariable]))
        {
            return;
        }

        builder.Services.AddHostedService<AgentMetrics>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("fleet-agent", serviceVersion: Program.Version, serviceInstanceId: identity.HostId.ToString()))
            .WithTracing(tracing => tracing
                .AddSource("Microsoft.AspNetCore.SignalR.Client")
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(MeterName)
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithLogging()
            .UseOtlpExporter();
    }

    /// <summary>The agent's instruments, observed when the exporter collects.</summary>
    private sealed class AgentMetrics : IHostedService
    {
        public AgentMetrics(IMeterFactory meters, IBatchQueue queue, AgentHubClient hub)
        {
            var meter = meters.Create(MeterName);
            meter.CreateObservableGauge("fleet.agent.queue.pending_batches", () => queue.Stats.PendingBatches, "{batch}", "Batches waiting for the Api's acknowledgement");
            meter.CreateObservableGauge("fleet.agent.hub.connected", () => hub.Status.State == HubConnectionStatus.Connected ? 1 : 0, null, "1 while connected to the Api's hub");
            meter.CreateObservableCounter("fleet.agent.hub.batches_acknowledged", () => hub.BatchesAcknowledged, "{batch}", "Batches the Api stored");
            meter.CreateObservableCounter("fleet.agent.hub.samples_acknowledged", () => hub.SamplesAcknowledged, "{sample}", "Samples the Api stored");
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
