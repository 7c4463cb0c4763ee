using System.Globalization;
using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>The listening end follows its peer's address when it changes (NAT rebinding), from authenticated packets.</summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class AddressLearningTests
{
    private const string NatAddress = "10.100.1.77";
    private const int NatPort = 40000;

    [Fact(Timeout = 120_000)]
    public async Task PeerRebindsBehindNat_DuringTransfer_ListenerFollowsAndPathKeepsWorking()
    {
        Privileged.Require("network namespaces, veth, TUN, nftables");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        var cancel = TestContext.Current.CancellationToken;
        await using var topology = await NamespaceTopology.CreateAsync(2);
        using var pair = await StriperPair.StartAsync(topology);
        var portA = pair.EngineA.GetSnapshot().Paths[0].LocalPort;
        var before = pair.EngineB.GetSnapshot();
        Assert.Equal($"{NamespaceTopology.AddressA(0)}:{portA}", before.Paths[0].Peer);

        var transfer = Iperf.StartTcp(topology, StriperPair.TunnelB, "-t", "5");
        await Task.Delay(1500, cancel);

        // From now on path 0 crosses a (stateless) NAT in M: A's datagrams reach B from another address and port, and
        // only answers sent to that new address find their way back to A.
        var port = portA.ToString(CultureInfo.InvariantCulture);
        var nat = await ProcessRunner.RunAsync("ip", ["netns", "exec", topology.M, "nft", "-f", "-"], $$"""
            table ip flnat {
              chain pre {
                type filter hook prerouting priority -300; policy accept;
                iifname "ma0" ip saddr {{NamespaceTopology.AddressA(0)}} udp sport {{port}} ip saddr set {{NatAddress}} udp sport set {{NatPort}}
                iifname "mb0" ip daddr {{NatAddress}} udp dport {{NatPort}} ip daddr set {{NamespaceTopology.AddressA(0)}} udp dport set {{port}}
              }
            }
            """);
        Assert.True(nat.Succeeded, nat.Error);
        var rebound = pair.EngineB.GetSnapshot();
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < deadline && rebound.Paths[0].Peer != $"{NatAddress}:{NatPort}")
        {
            await Task.Delay(10, cancel);
            rebound = pair.EngineB.GetSnapshot();
        }

        var atRebind = (A: pair.EngineA.GetSnapshot(), B: rebound);
        await Task.Delay(1000, cancel);
        var result = await transfer;
        var after = (A: pair.EngineA.GetSnapshot(), B: pair.EngineB.GetSnapshot());

        var report = $"{result}; B's peer {after.B.Paths[0].Peer}, address changes {after.B.Paths[0].AddressChanges - before.Paths[0].AddressChanges}, " +
            $"A path 0 {after.A.Paths[0].Health} ({after.A.Paths[0].HealthReason}), probes answered since {after.A.Paths[0].ProbesAnswered - atRebind.A.Paths[0].ProbesAnswered}";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(result.Completed, report);
        Assert.Equal($"{NatAddress}:{NatPort}", after.B.Paths[0].Peer);
        Assert.Equal(1, after.B.Paths[0].AddressChanges - before.Paths[0].AddressChanges);
        Assert.Equal(before.Sessions, after.B.Sessions);

        // Both directions work through the NAT: B's answers to A's probes arrive (only via the new address) and data
        // still flows on the path.
        Assert.True(after.A.Paths[0].ProbesAnswered - atRebind.A.Paths[0].ProbesAnswered >= 5, report);
        Assert.Equal(MemberHealth.Up, after.A.Paths[0].Health);
        Assert.True(after.B.Paths[0].RxDataPackets > atRebind.B.Paths[0].RxDataPackets, report);
    }
}
