using System.Net;
using System.Net.Http.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// The demo fleet's live metrics as an ops team gets them: a real Prometheus scrapes the Api's <c>/metrics</c> with an
/// API key of role <c>metrics</c>, and PromQL over Prometheus's HTTP API answers with the members' throughput.
/// </summary>
public sealed class PrometheusScrapeTests
{
    /// <summary>The Prometheus name of <c>fleet.member.throughput</c> (unit bit/s): what dashboards and alerts query.</summary>
    private const string MemberThroughput = "fleet_member_throughput_bit_per_second";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Demo_ScrapedByPrometheus_MemberThroughputIsQueryableAndChanges()
    {
        Privileged.RequireTool(PrometheusServer.Binary, "prometheus");
        await using var api = await ApiProcess.StartAsync(
            new ApiProcessOptions
            {
                Configuration =
                {
                    ["Fleet:Demo"] = "true",
                    ["Fleet:Metrics:Enabled"] = "true",
                    ["Fleet:Metrics:CatalogRefresh"] = "00:00:02",
                },
            },
            Cancel);
        using var admin = api.CreateClient();
        using var created = await admin.PostAsJsonAsync("api/v1/api-keys", new CreateApiKeyRequest { Name = "prometheus", Role = FleetRole.Metrics }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.Content.ReadFromJsonAsync<CreatedApiKeyDto>(FleetJson.Options, Cancel))!;
        Assert.Equal(FleetRole.Metrics, key.Key.Role);

        await using var prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{api.Port}", "/metrics", key.Secret, Cancel);
        string Detail() => $"prometheus:\n{prometheus.Output}\ntargets: {prometheus.TargetsAsync(Cancel).GetAwaiter().GetResult()}\napi:\n{api.Output}";

        // Every demo host's members, both directions, with the attributes dashboards group by.
        IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)> series = [];
        await Eventually.TrueAsync(
            async () =>
            {
                series = await prometheus.QueryAsync(MemberThroughput, Cancel);
                return series.Select(s => s.Labels["host"]).Distinct().Count() == DemoHosts.Count;
            },
            $"member throughput of the {DemoHosts.Count} demo hosts in Prometheus",
            TimeSpan.FromSeconds(120),
            Detail);
        Assert.All(series, s =>
        {
            Assert.StartsWith("demo-", s.Labels["host"], StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(s.Labels["link"]));
            Assert.False(string.IsNullOrEmpty(s.Labels["member"]));
            Assert.Contains(s.Labels["kind"], new[] { "bond", "teql", "mptcp", "striper", "aggregator" });
            Assert.Contains(s.Labels["direction"], new[] { "tx", "rx" });
            Assert.Equal("fleet", s.Labels["job"]);
        });
        Assert.Contains(series, s => s.Value > 0);

        // The values move: Prometheus itself counts changes of some member's throughput over its stored samples.
        await Eventually.TrueAsync(
            async () => (await prometheus.QueryAsync($"changes({MemberThroughput}[1m]) > 0", Cancel)).Count > 0,
            "a member's throughput changing between scrapes",
            TimeSpan.FromSeconds(120),
            Detail);
        var total = await prometheus.QueryAsync($"sum({MemberThroughput})", Cancel);
        Assert.True(Assert.Single(total).Value > 0, Detail());
    }
}
