using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fleet.Api.Metrics;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Metrics;

/// <summary>
/// deploy/grafana/fleet-links.json against the Api itself: it parses, has the panels and variables operators expect,
/// and every metric its PromQL names is one the running Api's <c>/metrics</c> really serves (scraped with a metrics
/// key after the fixture's link was heard from), so a renamed instrument or unit breaks this test, not a dashboard.
/// </summary>
public sealed partial class GrafanaDashboardTests(SqliteApiFixture fixture) : IClassFixture<SqliteApiFixture>
{
    private static readonly string[] s_expectedPanels =
    [
        "Member throughput", "Member RTT", "Member loss", "Member health", "Member drops", "Member reorder depth", "Agent queue depth",
    ];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public void Dashboard_HasTheExpectedPanelsAndHostAndLinkVariables()
    {
        using var dashboard = Load();
        var root = dashboard.RootElement;
        var titles = root.GetProperty("panels").EnumerateArray().Select(p => p.GetProperty("title").GetString()).ToList();
        Assert.All(s_expectedPanels, title => Assert.Contains(title, titles));
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()).ToList();
        Assert.Contains("host", variables);
        Assert.Contains("link", variables);
        Assert.All(root.GetProperty("panels").EnumerateArray(), panel =>
        {
            var expressions = panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!).ToList();
            Assert.NotEmpty(expressions);
            Assert.All(expressions, e => Assert.Contains("$host", e, StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task Dashboard_EveryMetricItQueries_IsServedByTheApi()
    {
        var exported = await ScrapeMetricNamesAsync();
        using var dashboard = Load();
        var queries = Queries(dashboard.RootElement).ToList();
        Assert.True(queries.Count >= s_expectedPanels.Length + 2, string.Join("\n", queries));
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var query in queries)
        {
            var metrics = MetricName().Matches(query).Select(m => m.Value).ToList();
            Assert.True(metrics.Count > 0, $"no Fleet metric in: {query}");
            foreach (var metric in metrics)
            {
                Assert.True(exported.Contains(metric), $"'{metric}' (in {query}) is not served by /metrics; served: {string.Join(", ", exported.Order())}");
                named.Add(metric);
            }
        }

        // The panels the issue asks for use the member instruments and the queue depth.
        Assert.Contains("fleet_member_throughput_bit_per_second", named);
        Assert.Contains("fleet_member_drops_total", named);
        Assert.Contains("fleet_host_queued_batches", named);
    }

    /// <summary>The metric names the Api serves once the fixture's link was heard from (every instrument then has a point).</summary>
    private async Task<HashSet<string>> ScrapeMetricNamesAsync()
    {
        var services = fixture.Api.Services;
        var counters = services.GetRequiredService<LiveCounters>();
        var now = DateTimeOffset.UtcNow;
        counters.Record([.. fixture.Link.Spec.Members.Select(m => new MemberSample
        {
            LinkId = fixture.Link.Id,
            Member = m.Interface,
            Time = now,
            IntervalMs = 1000,
            TxBytes = 125_000,
            RxBytes = 1_000,
            TxDrops = 1,
            RttMs = 3.5,
            LossPercent = 0.1,
            ReorderDepthMax = 2,
            Health = MemberHealth.Up,
        })]);
        counters.SetQueueDepth(fixture.HostId, 2);
        await services.GetRequiredService<MetricsCatalog>().ReloadAsync(Cancel);

        using var client = fixture.Api.CreateBearerClient(fixture.MetricsKey);
        using var response = await client.GetAsync("metrics", Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var names = text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.IndexOfAny(['{', ' '])])
            .ToHashSet(StringComparer.Ordinal);

        // Each instrument of the live meter is served (its Prometheus name starts with the dotted name's underscores).
        foreach (var name in typeof(FleetLiveMetrics.Names).GetFields().Select(f => (string)f.GetRawConstantValue()!))
        {
            var prefix = name.Replace('.', '_');
            Assert.True(names.Any(n => n.StartsWith(prefix, StringComparison.Ordinal)), $"{name} not served: {text}");
        }

        return names;
    }

    /// <summary>Every PromQL expression of the dashboard: panel targets and query variables.</summary>
    private static IEnumerable<string> Queries(JsonElement root)
    {
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                yield return target.GetProperty("expr").GetString()!;
            }
        }

        foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() == "query")
            {
                yield return variable.GetProperty("query").GetProperty("query").GetString()!;
            }
        }
    }

    private static JsonDocument Load()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Fleet.sln")))
            {
                return JsonDocument.Parse(File.ReadAllText(Path.Combine(directory.FullName, "deploy", "grafana", "fleet-links.json")));
            }
        }

        throw new FileNotFoundException("Fleet.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\bfleet_[a-z0-9_]+\b", RegexOptions.CultureInvariant)]
    private static partial Regex MetricName();
}
