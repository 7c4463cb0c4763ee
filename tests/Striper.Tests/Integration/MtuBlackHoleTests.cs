using Fleet.Contracts.Links;
using Fleet.Striper.Engine;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// MTU probes on a real link (docs/striper-protocol.md, "MTU probes"): a hop in the middle namespace with a smaller MTU
/// whose ICMP "fragmentation needed" is dropped black-holes the full-size datagrams of one path; the sender's
/// snapshot says so of that path and not of the other.
/// </summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class MtuBlackHoleTests
{
    private static readonly TimeSpan s_probeInterval = TimeSpan.FromMilliseconds(200);

    [Fact(Timeout = 60_000)]
    public async Task MtuProbes_OnePathBlackHolesLargeDatagrams_ThatPathLosesLargeProbesOnly()
    {
        Privileged.Require("network namespaces, veth, TUN, nftables");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        await using var topology = await NamespaceTopology.CreateAsync(2);
        using var pair = await StriperPair.StartAsync(topology, StripeSchedulerKind.Weighted, mtuProbeInterval: s_probeInterval);
        Assert.True(await Until.TrueAsync(() => pair.EngineA.GetSnapshot().Paths.All(p => p.LargeProbeLossPercent == 0), TimeSpan.FromSeconds(10)),
            $"probes before the fault: {Probes(pair.EngineA.GetSnapshot())}");

        // Path 1's hop towards B carries 100 bytes less than the link's datagrams, and M's "fragmentation needed" never
        // reaches A: a black hole for large packets (RFC 2923).
        await ProcessRunner.CheckedAsync("ip", "-n", topology.M, "link", "set", "mb1", "mtu", "1400");
        var nft = await ProcessRunner.RunAsync("ip", ["netns", "exec", topology.M, "nft", "-f", "-"], """
            table inet flpmtu {
              chain out {
                type filter hook output priority 0; policy accept;
                icmp type destination-unreachable drop
              }
            }
            """);
        Assert.True(nft.Succeeded, nft.Error);

        var blackHoled = await Until.TrueAsync(() => pair.EngineA.GetSnapshot().Paths[1] is { LargeProbeLossPercent: 100 }, TimeSpan.FromSeconds(10));
        var snapshot = pair.EngineA.GetSnapshot();
        var report = Probes(snapshot);
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(blackHoled, report);
        var (good, bad) = (snapshot.Paths[0], snapshot.Paths[1]);
        Assert.Equal(0, bad.SmallProbeLossPercent);
        Assert.Equal(0, good.LargeProbeLossPercent);
        Assert.Equal(0, good.SmallProbeLossPercent);
        Assert.Equal(0, bad.LargeProbesTooBig);
        Assert.Equal(pair.EngineA.TunMtu + 68, bad.MtuProbeBytes);
        Assert.Equal(MemberHealth.Up, bad.Health);
    }

    [Fact(Timeout = 60_000)]
    public async Task MtuProbes_HopWithSmallerMtuThatSaysSo_KernelRefusesTheLargeProbesAsTooBig()
    {
        // The same hop, its ICMP let through: A's kernel learns the path MTU and refuses the full-size probes itself
        // (EMSGSIZE, the sockets set IP_PMTUDISC_DO), which counts them lost and too big.
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await NamespaceTopology.CreateAsync(2);
        using var pair = await StriperPair.StartAsync(topology, StripeSchedulerKind.Weighted, mtuProbeInterval: s_probeInterval);

        await ProcessRunner.CheckedAsync("ip", "-n", topology.M, "link", "set", "mb1", "mtu", "1400");

        var refused = await Until.TrueAsync(() => pair.EngineA.GetSnapshot().Paths[1] is { LargeProbesTooBig: > 0, LargeProbeLossPercent: > 50 }, TimeSpan.FromSeconds(10));
        var snapshot = pair.EngineA.GetSnapshot();
        Assert.True(refused, Probes(snapshot));
        Assert.Equal(0, snapshot.Paths[0].LargeProbesTooBig);
        Assert.Equal(0, snapshot.Paths[1].SmallProbeLossPercent);
    }

    private static string Probes(StriperSnapshot snapshot) => string.Join("; ", snapshot.Paths.Select(p =>
        $"{p.Interface}: {p.MtuProbeBytes} B large {p.LargeProbesLost}/{p.LargeProbesSent} lost ({p.LargeProbeLossPercent} %, too big {p.LargeProbesTooBig}), " +
        $"small {p.SmallProbesLost}/{p.SmallProbesSent} ({p.SmallProbeLossPercent} %), {p.Health}"));
}
