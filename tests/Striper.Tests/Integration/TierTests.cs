using Fleet.Contracts.Links;
using Fleet.Striper.Classes;
using Fleet.Striper.Engine;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>Member tiers on a real link: overflow only under load, backup only on failure, never never.</summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class TierTests
{
    private static long TxBytes(StriperSnapshot before, StriperSnapshot after, int path) =>
        after.Paths[path].TxDataBytes - before.Paths[path].TxDataBytes;

    [Fact(Timeout = 180_000)]
    public async Task Overflow_CarriesNothingBelowThePrimariesRate_TakesTheExcessAboveIt()
    {
        Privileged.Require("network namespaces, veth, TUN, tc tbf");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        // Slow paths: the heavy flow must be able to exceed the primaries' planned 12 Mbit/s even on a loaded two-core
        // machine (at 20 Mbit/s each, a machine under load carried 35 Mbit/s, below the primaries' 40, and the overflow
        // member rightly stayed idle). Each path is shaped a third above its planned 6 Mbit/s: the gate diverts what
        // exceeds the plan before the primaries' queues drop it (shaped at the plan, with each datagram's IP, UDP and
        // Ethernet headers on top, they dropped first and TCP backed off without ever exceeding the plan).
        await using var topology = await NamespaceTopology.CreateAsync(3, [8, 8, 8]);
        using var pair = await StriperPair.StartAsync(topology, StripeSchedulerKind.EarliestArrival,
            adjust: (a, b) =>
            {
                for (var i = 0; i < a.Count; i++)
                {
                    a[i] = a[i] with { RateBitsPerSecond = 6_000_000 };
                    b[i] = b[i] with { RateBitsPerSecond = 6_000_000 };
                }
            },
            policy: new StriperPolicy { Tiers = [LinkTier.Primary, LinkTier.Primary, LinkTier.Overflow] });

        // 4 Mbit/s of UDP: well below the primaries' 12.
        using var flow = UdpFlow.Open(topology, StriperPair.TunnelB, 6000);
        var before = pair.EngineA.GetSnapshot();
        var light = await flow.RunAsync(1600, 400, 1300);
        var afterLight = pair.EngineA.GetSnapshot();
        var idle = afterLight.Paths[2];

        // One TCP flow takes whatever it can: more than the primaries carry.
        var heavy = await Iperf.TcpAsync(topology, StriperPair.TunnelB, "-t", "6");
        var afterHeavy = pair.EngineA.GetSnapshot();

        var report = $"light {light}: per path {TxBytes(before, afterLight, 0)}, {TxBytes(before, afterLight, 1)}, {TxBytes(before, afterLight, 2)} B; " +
            $"heavy {heavy}: per path {TxBytes(afterLight, afterHeavy, 0)}, {TxBytes(afterLight, afterHeavy, 1)}, {TxBytes(afterLight, afterHeavy, 2)} B, overflow {afterHeavy.OverflowBytes} B";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(light.Distinct >= light.Sent * 0.99, report);
        Assert.Equal(0, TxBytes(before, afterLight, 2));
        Assert.Equal(LinkTier.Overflow, idle.Tier);
        Assert.Equal("overflow: the primaries are not saturated", idle.IdleReason);
        Assert.True(heavy.Completed, report);
        Assert.True(TxBytes(afterLight, afterHeavy, 2) > 1 << 20, report);
        Assert.True(afterHeavy.OverflowBytes > 1 << 20, report);
    }

    [Fact(Timeout = 180_000)]
    public async Task BackupOnlyOnFailure_NeverCarriesNothingEvenThen()
    {
        Privileged.Require("network namespaces, veth, TUN, nftables");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        var cancel = TestContext.Current.CancellationToken;
        await using var topology = await NamespaceTopology.CreateAsync(3);
        using var pair = await StriperPair.StartAsync(topology, policy: new StriperPolicy { Tiers = [LinkTier.Primary, LinkTier.Backup, LinkTier.Never] });
        using var flow = UdpFlow.Open(topology, StriperPair.TunnelB, 6000);

        var start = pair.EngineA.GetSnapshot();
        var healthy = await flow.RunAsync(1000, 500);
        var afterHealthy = pair.EngineA.GetSnapshot();
        Assert.Equal(1000, healthy.Distinct);
        Assert.Equal(0, TxBytes(start, afterHealthy, 1));
        Assert.Equal(0, TxBytes(start, afterHealthy, 2));
        Assert.Equal("backup: a primary or overflow member is up", afterHealthy.Paths[1].IdleReason);
        Assert.Equal("tier never: kept connected and probed, never carries data", afterHealthy.Paths[2].IdleReason);

        // The primary fails: the backup carries, the never member still does not.
        await topology.CutAsync(0);
        Assert.True(await Until.TrueAsync(() => pair.EngineA.GetSnapshot().Paths[1].Usable, TimeSpan.FromSeconds(5)), "backup not usable after the primary's cut");
        var onBackup = await flow.RunAsync(1000, 500);
        var afterBackup = pair.EngineA.GetSnapshot();
        Assert.True(onBackup.Distinct >= 990, onBackup.ToString());
        Assert.True(TxBytes(afterHealthy, afterBackup, 1) > 1000 * 160, "the backup carried the flow");
        Assert.Equal(0, TxBytes(start, afterBackup, 2));

        // The backup fails too: the never member is up and probed, and carries nothing.
        await topology.CutAsync(1);
        await Task.Delay(1000, cancel);
        await flow.RunAsync(500, 500);
        var afterBoth = pair.EngineA.GetSnapshot();
        Assert.Equal(0, TxBytes(start, afterBoth, 2));
        Assert.Equal(MemberHealth.Up, afterBoth.Paths[2].Health);
        Assert.True(afterBoth.Paths[2].ProbesAnswered > afterHealthy.Paths[2].ProbesAnswered);

        // Healed: back on the primary, the backup idle again.
        await topology.HealAsync(0);
        await topology.HealAsync(1);
        Assert.True(await Until.TrueAsync(() => pair.EngineA.GetSnapshot().Paths is var p && p[0].Usable && !p[1].Usable, TimeSpan.FromSeconds(10)), "not back on the primary");
        var beforeHealed = pair.EngineA.GetSnapshot();
        var healed = await flow.RunAsync(1000, 500);
        var afterHealed = pair.EngineA.GetSnapshot();
        Assert.Equal(1000, healed.Distinct);
        Assert.Equal(0, TxBytes(beforeHealed, afterHealed, 1));
        Assert.Equal(0, TxBytes(start, afterHealed, 2));
    }
}
