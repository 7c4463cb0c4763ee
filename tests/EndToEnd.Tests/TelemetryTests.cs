using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, the Api and the agent both export to one OTLP receiver.</summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class TelemetryTests(PostgresFixture postgres)
{
    [Fact]
    public async Task ApiAndAgent_ExportTheirOwnTracesMetricsAndLogs()
    {
        using var collector = new OtlpReceiver();
        var otel = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        };
        await using var fleet = await FleetEnvironment.StartAsync(postgres, otel);
        var (agent, hostId) = await fleet.EnrollAgentAsync();
        agent.StartDaemon(otel);
        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond());

        // Each side under its own service name; the agent's instance is its host id.
        (string Path, string Value)[] expected =
        [
            ("/v1/traces", "fleet-api"), ("/v1/traces", "postgresql"), ("/v1/traces", "http.route"),
            ("/v1/metrics", "fleet-api"), ("/v1/metrics", "fleet.ingest.samples"), ("/v1/metrics", "http.server.request.duration"),
            ("/v1/logs", "fleet-api"),
            ("/v1/traces", "fleet-agent"), ("/v1/traces", hostId.ToString()),
            ("/v1/metrics", "fleet-agent"), ("/v1/metrics", "fleet.agent.queue.pending_batches"), ("/v1/metrics", "fleet.agent.hub.connected"),
            ("/v1/metrics", "http.client.request.duration"),
            ("/v1/logs", "fleet-agent"),
        ];
        await Eventually.TrueAsync(
            () => expected.All(e => collector.Has(e.Path, e.Value)),
            "the Api's and the agent's telemetry received",
            TimeSpan.FromSeconds(120),
            () => $"missing: {string.Join(", ", expected.Where(e => !collector.Has(e.Path, e.Value)))}; received {collector.Describe()}\n{fleet.Diagnostics()}");
        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.ObservedGeneration == 1, "the link applied while exporting");
        Assert.Contains(collector.Strings("/v1/metrics"), n => n.StartsWith("dotnet.", StringComparison.Ordinal));
        Assert.Equal(0, collector.Malformed);
    }
}
