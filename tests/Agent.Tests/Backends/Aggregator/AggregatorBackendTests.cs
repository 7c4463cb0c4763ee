using System.Security.Cryptography;
using Fleet.Agent.Backends;
using Fleet.Agent.Backends.Aggregator;
using Fleet.Agent.Backends.Striper;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Engine;
using Fleet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Backends.Aggregator;

/// <summary>
/// The aggregator backend for real: an aggregator namespace and two site namespaces, each site with two paths, all
/// through a middle namespace that routes between them (as the internet would); the aggregator hosted by
/// <see cref="AggregatorBackend"/>, each site by a <see cref="StriperBackend"/> with the site's link, traffic through
/// the TUN devices they create.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class AggregatorBackendTests(ITestOutputHelper output)
{
    private const int Port = 7200;
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static LinkSpec AggregatorLink(params AggregatorSiteSpec[] sites) => new()
    {
        Kind = LinkKind.Aggregator,
        Name = "agg0",
        Members = [new MemberSpec { Interface = "u0", Address = "10.70.0.1", LocalPort = Port }],
        Addresses = ["10.80.0.1/16"],
        Aggregator = new AggregatorOptions { Sites = sites },
    };

    private static AggregatorSiteSpec Entry(int site, string key) => new()
    {
        Id = site,
        Paths = 2,
        Prefixes = [$"10.80.{site}.0/24"],
        Striper = new StriperOptions { Key = key },
    };

    /// <summary>A site's link as the Api makes it (docs/aggregator.md): every member dials the aggregator, the tunnel address in its prefix with the network's length.</summary>
    private static LinkSpec SiteLink(int site, string key) => new()
    {
        Kind = LinkKind.Striper,
        Name = "site0",
        Members = [new MemberSpec { Interface = "p0", Peer = $"10.70.0.1:{Port}" }, new MemberSpec { Interface = "p1", Peer = $"10.70.0.1:{Port}" }],
        Addresses = [$"10.80.{site}.1/16"],
        Striper = new StriperOptions { Key = key, SiteId = site },
    };

    /// <summary>
    /// The aggregator's socket on u0 (10.70.0.1) and site k's path i on p{i} (10.7{1+i}.k.2), routed by the middle
    /// namespace. Each path's socket is bound to its device, so each site has a route to the aggregator over every path
    /// (the lowest metric for unbound traffic).
    /// </summary>
    private static async Task<(TestNetwork Network, string Hub, string[] Sites)> TopologyAsync()
    {
        var network = TestNetwork.Create("ag");
        var middle = await network.AddNamespaceAsync("m");
        await network.InAsync(middle, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        var hub = await network.AddNamespaceAsync("h");
        await network.AddVethAsync(hub, "u0", middle, "hub");
        await network.AddAddressAsync(hub, "u0", "10.70.0.1/24");
        await network.AddAddressAsync(middle, "hub", "10.70.0.2/24");
        await network.MustAsync("ip", "-n", hub, "route", "add", "default", "via", "10.70.0.2");
        var sites = new string[2];
        for (var k = 1; k <= sites.Length; k++)
        {
            var site = sites[k - 1] = await network.AddNamespaceAsync($"s{k}");
            for (var i = 0; i < 2; i++)
            {
                await network.AddVethAsync(site, $"p{i}", middle, $"s{k}p{i}");
                await network.AddAddressAsync(site, $"p{i}", $"10.7{1 + i}.{k}.2/24");
                await network.AddAddressAsync(middle, $"s{k}p{i}", $"10.7{1 + i}.{k}.1/24");
                await network.MustAsync("ip", "-n", site, "route", "add", "10.70.0.0/24", "via", $"10.7{1 + i}.{k}.1", "dev", $"p{i}", "metric", $"{10 + i}");
            }
        }

        return (network, hub, sites);
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static async Task<LinkObservation> ObserveUntilAsync(AggregatorBackend backend, LinkSpec spec, string detail)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        LinkObservation observation;
        do
        {
            await Task.Delay(100, Token);
            observation = await backend.ObserveAsync(spec, Token);
        }
        while (DateTime.UtcNow < deadline && observation.Members[0].Detail?.StartsWith(detail, StringComparison.Ordinal) != true);

        return observation;
    }

    /// <summary>
    /// Waits until every path of a site's engine is Up: its probes answered in the session, so the aggregator holds the
    /// session too. A site's own session is not enough: with several workers the aggregator may refuse the first one
    /// for its lane, and the next handshake follows a hello interval later (docs/striper-protocol.md, "Aggregator").
    /// </summary>
    private static async Task<bool> PathsUpAsync(StriperEngine engine)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (engine.GetSnapshot().Paths.All(p => p.Health == MemberHealth.Up))
            {
                return true;
            }

            await Task.Delay(50, Token);
        }

        return false;
    }

    [Fact(Timeout = 120_000)]
    public async Task Apply_SiteAddedLive_Remove_SitesCarryTrafficAndTheFirstSessionSurvives()
    {
        Privileged.Require("network namespaces, veth, TUN");
        var (network, hub, sites) = await TopologyAsync();
        await using var _ = network;
        using var backend = new AggregatorBackend(network.Context(hub), NullLogger<AggregatorBackend>.Instance);
        using var site1 = new StriperBackend(network.Context(sites[0]), TimeProvider.System, NullLogger<StriperBackend>.Instance);
        using var site2 = new StriperBackend(network.Context(sites[1]), TimeProvider.System, NullLogger<StriperBackend>.Instance);
        var (key1, key2) = (NewKey(), NewKey());
        var first = AggregatorLink(Entry(1, key1));
        Assert.Empty(LinkSpecValidator.Validate(first));
        Assert.Empty(LinkSpecValidator.Validate(SiteLink(1, key1)));
        Assert.True(backend.CheckAvailability().Available);

        // Generation 1: the aggregator with one site; the site dials it and reaches the aggregator's tunnel address.
        var applied = await backend.ApplyAsync(null, first, Token);
        Assert.True(applied.Succeeded, applied.Error);
        Assert.True((await site1.ApplyAsync(null, SiteLink(1, key1), Token)).Succeeded);
        Assert.True(await PathsUpAsync(site1.EngineFor("site0")!), "site 1's paths did not come up");
        Assert.Equal(0, await network.PingLossAsync(sites[0], "10.80.0.1", count: 5));
        var addresses = await network.InAsync(hub, "ip", "-j", "addr", "show", "dev", "agg0");
        Assert.Contains("\"local\":\"10.80.0.1\"", addresses.StandardOutput, StringComparison.Ordinal);

        var observed = await ObserveUntilAsync(backend, first, "1 site, 1 with a path up");
        var socket = observed.Members[0];
        foreach (var member in observed.Members)
        {
            output.WriteLine($"{member.Interface} {member.Health} {member.Detail} {member.Counters}");
        }

        Assert.True(observed.Exists);
        Assert.Null(observed.Drift);
        Assert.Equal(("u0", MemberHealth.Up, $"1 site, 1 with a path up; port {Port}"), (socket.Interface, socket.Health, socket.Detail));

        // Site 1 as the aggregator sees it: its session up, its two paths, the pings counted on them.
        Assert.Equal(["u0", "s1", "s1.0", "s1.1"], observed.Members.Select(m => m.Interface));
        Assert.Equal(MemberHealth.Up, observed.Members[1].Health);
        var site1Paths = PathTotals(observed, 1);
        Assert.True(site1Paths.TxPackets >= 5 && site1Paths.RxPackets >= 5, site1Paths.ToString());
        Assert.Contains(observed.Members, m => m.Interface.StartsWith("s1.", StringComparison.Ordinal) && m.Health == MemberHealth.Up && m.RttMs is not null);

        // Applying the same spec again changes nothing.
        var aggregator = backend.AggregatorFor("agg0");
        Assert.NotNull(aggregator);
        Assert.True((await backend.ApplyAsync(first, first, Token)).Succeeded);
        Assert.Same(aggregator, backend.AggregatorFor("agg0"));

        // Generation 2 adds a site live: the same aggregator, site 1's session untouched, both sites reach it.
        var sessions = aggregator!.GetSnapshot().Sites.Single(s => s.Id == 1).Link.Sessions;
        var second = AggregatorLink(Entry(1, key1), Entry(2, key2));
        Assert.True((await backend.ApplyAsync(first, second, Token)).Succeeded);
        Assert.Same(aggregator, backend.AggregatorFor("agg0"));
        Assert.True((await site2.ApplyAsync(null, SiteLink(2, key2), Token)).Succeeded);
        Assert.True(await PathsUpAsync(site2.EngineFor("site0")!), "site 2's paths did not come up");
        Assert.Equal(0, await network.PingLossAsync(sites[1], "10.80.0.1", count: 5));
        Assert.Equal(0, await network.PingLossAsync(sites[0], "10.80.0.1", count: 5));
        Assert.Equal(sessions, aggregator.GetSnapshot().Sites.Single(s => s.Id == 1).Link.Sessions);
        var both = await ObserveUntilAsync(backend, second, "2 sites, 2 with a path up");
        Assert.Equal($"2 sites, 2 with a path up; port {Port}", both.Members[0].Detail);
        Assert.Equal(["s1", "s1.0", "s1.1", "s2", "s2.0", "s2.1"], both.Members.Skip(1).Select(m => m.Interface).Order(StringComparer.Ordinal));
        Assert.True(PathTotals(both, 2).TxPackets >= 5, "the second site's traffic is counted on its own paths");

        // The spec the agent observes against differs from the one running: drift, not silence.
        Assert.NotNull((await backend.ObserveAsync(first, Token)).Drift);

        // Remove: the device (with its addresses) is gone; removing again is fine.
        Assert.True((await backend.RemoveAsync(second, Token)).Succeeded);
        Assert.False((await network.Runner.RunAsync("ip", ["-n", hub, "link", "show", "dev", "agg0"], cancellationToken: Token)).Succeeded);
        var gone = await backend.ObserveAsync(second, Token);
        Assert.Equal((false, MemberHealth.Unknown), (gone.Exists, gone.Members[0].Health));
        Assert.True((await backend.RemoveAsync(second, Token)).Succeeded);
    }

    /// <summary>Site <paramref name="siteId"/>'s paths at the aggregator, summed.</summary>
    private static (ulong TxPackets, ulong RxPackets) PathTotals(LinkObservation observation, int siteId)
    {
        var paths = observation.Members.Where(m => m.Interface.StartsWith($"s{siteId}.", StringComparison.Ordinal)).ToList();
        return (paths.Aggregate(0UL, (sum, m) => sum + m.Counters.TxPackets), paths.Aggregate(0UL, (sum, m) => sum + m.Counters.RxPackets));
    }

    [Fact(Timeout = 60_000)]
    public async Task Apply_SocketInterfaceMissing_FailedWithKernelReasonAndNothingLeftBehind()
    {
        Privileged.Require("network namespaces, veth, TUN");
        var (network, hub, _) = await TopologyAsync();
        await using var disposeNetwork = network;
        using var backend = new AggregatorBackend(network.Context(hub), NullLogger<AggregatorBackend>.Instance);
        var spec = AggregatorLink(Entry(1, NewKey())) with { Members = [new MemberSpec { Interface = "nope0", LocalPort = Port }] };

        var result = await backend.ApplyAsync(null, spec, Token);

        Assert.False(result.Succeeded);
        Assert.Contains("nope0", result.Error, StringComparison.Ordinal);
        Assert.Null(backend.AggregatorFor("agg0"));
        Assert.False((await network.Runner.RunAsync("ip", ["-n", hub, "link", "show", "dev", "agg0"], cancellationToken: Token)).Succeeded);
    }
}
