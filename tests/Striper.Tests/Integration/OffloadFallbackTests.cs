using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>The fallback without offloads (plain TUN, sendmmsg, no UDP GRO), facing a peer that uses them.</summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class OffloadFallbackTests
{
    [Fact(Timeout = 120_000)]
    public async Task PeerWithoutOffloads_TcpBothWays_SegmentsCheckedAndWrittenOneByOne()
    {
        Privileged.Require("network namespaces, veth, TUN");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        await using var topology = await NamespaceTopology.CreateAsync(2);
        using var pair = await StriperPair.StartAsync(topology, offloadsB: false);
        var a = pair.EngineA.GetSnapshot();
        var b = pair.EngineB.GetSnapshot();
        Assert.Contains("VnetHeader = True", a.Offloads, StringComparison.Ordinal);
        Assert.Contains("VnetHeader = False", b.Offloads, StringComparison.Ordinal);
        Assert.All(b.Paths, p => Assert.False(p.Gso || p.Gro, $"{p.Interface} gso {p.Gso} gro {p.Gro}"));

        // A's kernel hands it TSO super-packets, which it cuts into segments with a partial checksum; B, without a
        // virtio header, must complete each segment's checksum itself or B's TCP drops them. Then the other way round.
        var toB = await Iperf.TcpAsync(topology, StriperPair.TunnelB, "-n", "30M");
        var toA = await Iperf.TcpAsync(topology, StriperPair.TunnelB, "-n", "30M", "-R");
        var after = (A: pair.EngineA.GetSnapshot(), B: pair.EngineB.GetSnapshot());

        Assert.True(toB.Completed, toB.ToString());
        Assert.True(toA.Completed, toA.ToString());
        Assert.True(toB.BytesSent >= 30 << 20, toB.ToString());
        Assert.True(toA.BytesSent >= 30 << 20, toA.ToString());
        Assert.Equal(0, after.B.TunWriteErrors);
        Assert.Equal(0, after.A.TunWriteErrors);
        Assert.Equal(0, after.A.DropBadOffload);

        // Without coalescing B writes one packet per write; A coalesces B's segments into GSO writes.
        Assert.Equal(after.B.TunWritePackets, after.B.TunWrites);
        Assert.True(after.A.TunWrites < after.A.TunWritePackets, $"A: {after.A.TunWrites} writes for {after.A.TunWritePackets} packets");
        Assert.Equal(a.Sessions, after.A.Sessions);
    }
}
