using Fleet.Contracts.Links;
using Fleet.Striper.Classes;
using Fleet.Striper.Engine;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>Adaptive FEC on a real link whose paths lose datagrams in the middle namespace (nftables numgen).</summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class FecLinkTests
{
    private static readonly int[] s_burstPeriods = [59, 61, 67];

    private static ClassSnapshot Class(StriperSnapshot snapshot, string name) => snapshot.Classes.Single(c => c.Name == name);

    private static StriperPolicy Voice(FecClassOptions options) => new()
    {
        Classes = [new() { Name = "voice", Match = new() { Protocol = "udp", DestinationPorts = ["6003"] }, Action = TrafficAction.Fec, Fec = options }],
    };

    /// <summary>Runs a warm-up flow (the paths' loss gets measured), then the measured one; returns it with both ends' snapshots around it.</summary>
    private static async Task<(UdpFlowResult Flow, StriperSnapshot A0, StriperSnapshot A1, StriperSnapshot B0, StriperSnapshot B1)> RunVoiceAsync(StriperPair pair, int packets)
    {
        using var flow = UdpFlow.Open(pair.Topology, StriperPair.TunnelB, 6003);
        await flow.RunAsync(600, 200);
        var a0 = pair.EngineA.GetSnapshot();
        var b0 = pair.EngineB.GetSnapshot();
        var result = await flow.RunAsync(packets, 200);
        return (result, a0, pair.EngineA.GetSnapshot(), b0, pair.EngineB.GetSnapshot());
    }

    private static double RawLossPercent(StriperSnapshot b0, StriperSnapshot b1)
    {
        var lost = b1.Paths.Sum(p => p.RxLost) - b0.Paths.Sum(p => p.RxLost);
        var received = b1.Paths.Sum(p => p.RxDataPackets) - b0.Paths.Sum(p => p.RxDataPackets);
        return 100.0 * lost / Math.Max(1, lost + received);
    }

    [Fact(Timeout = 180_000)]
    public async Task RandomLossOnEveryPath_SingleLossesPerBlockRecovered()
    {
        Privileged.Require("network namespaces, veth, TUN, nftables");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        await using var topology = await NamespaceTopology.CreateAsync(3);
        using var pair = await StriperPair.StartAsync(topology, policy: Voice(new FecClassOptions()));
        for (var path = 0; path < 3; path++)
        {
            await topology.DropAsync(path, "numgen random mod 100 < 3");
        }

        var (flow, a0, a1, b0, b1) = await RunVoiceAsync(pair, 2000);

        var sent = Class(a1, "voice");
        var received = Class(b1, "voice");
        var recovered = received.FecRecovered - Class(b0, "voice").FecRecovered;
        var raw = RawLossPercent(b0, b1);
        var report = $"{flow}; raw loss {raw:F2} %, recovered {recovered}, lost after FEC {received.FecLost - Class(b0, "voice").FecLost}, " +
            $"blocks of {sent.FecBlockData}+{sent.FecBlockParity}, overhead {sent.OverheadPercent:F1} %";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(raw >= 1.5, report);
        Assert.True(recovered >= 20, report);
        Assert.True(flow.LossPercent <= 0.5, report);
        Assert.Equal(0, flow.Duplicates);
        Assert.InRange(sent.OverheadPercent, 1, 50);
        Assert.Equal(a0.Sessions, a1.Sessions);
    }

    // Was quarantined at 0.12 to 0.55 % lost: the planner's loss figure dipped between bursts (blocks of 2 + 1), and
    // the class's interval jitter flipped blocks to one data packet (1 + 1, lost whole when both paths burst). Now the
    // FEC loss figure holds between bursts, blocks hold round(10 ms ÷ interval) = 2 packets, and the planner prices a
    // path's two packets of a block as one burst (docs/striper-protocol.md, "Forward error correction"). Measured in 19
    // runs on a loaded host (load average 10 to 22): 0 to 0.30 % lost (0 to 6 of 2,000), mean 0.17 %.
    [Fact(Timeout = 180_000)]
    public async Task LossBurstsOnEveryPath_BlocksSpreadAcrossPathsRecoverThem()
    {
        Privileged.Require("network namespaces, veth, TUN, nftables");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        await using var topology = await NamespaceTopology.CreateAsync(3);

        // Small blocks (10 ms at 200 packets/s: two data packets) spread over the three paths, parity up to 100 %.
        using var pair = await StriperPair.StartAsync(topology, policy: Voice(new FecClassOptions { MaxDelayMs = 10, MaxOverheadPercent = 100 }));
        for (var path = 0; path < 3; path++)
        {
            // Two consecutive datagrams in every 59, 61 or 67 of a path: bursts, about 3.3 % of its datagrams. A block of
            // two data and two parity packets over three paths is lost when bursts take three of its four datagrams. The
            // planner gives the blocks the same layout over the paths and the counters run at the paths' steady rates,
            // so with one period on every path (bursts in every 30, as at first) the bursts met at a phase fixed by how
            // the counters happened to start: 0.75 to 0.95 % of the packets lost in four of five runs, with equal or
            // staggered offsets. With prime periods they drift across each other and meet only as often as independent
            // bursts do (about 0.1 % of the blocks).
            await topology.DropAsync(path, $"numgen inc mod {s_burstPeriods[path]} < 2");
        }

        var (flow, _, a1, b0, b1) = await RunVoiceAsync(pair, 2000);

        var sent = Class(a1, "voice");
        var recovered = Class(b1, "voice").FecRecovered - Class(b0, "voice").FecRecovered;
        var raw = RawLossPercent(b0, b1);
        var report = $"{flow}; raw loss {raw:F2} % in bursts of two, recovered {recovered}, lost after FEC {Class(b1, "voice").FecLost - Class(b0, "voice").FecLost}, " +
            $"resequencer lost {b1.Lost - b0.Lost} late {b1.Late - b0.Late}, blocks of {sent.FecBlockData}+{sent.FecBlockParity}, overhead {sent.OverheadPercent:F1} %";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(raw >= 4, report);
        Assert.True(recovered >= 50, report);
        Assert.True(flow.LossPercent <= 0.5, report);
        Assert.Equal(0, flow.Duplicates);
    }
}
