using System.Globalization;
using Fleet.Contracts.Links;
using Fleet.Striper.Classes;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// The whole host stalls: both engines live in this process, and SIGSTOP freezes every thread of it while the kernel
/// keeps forwarding and queueing what arrives. The control loop counts each stall (<c>ControlStalls</c>) and judges no
/// probe missed for time it did not run (<c>PathHealth.OnLocalStall</c>, proven on its own in <c>PathHealthTests</c>):
/// three freezes change no path's health and move no pinned class. (This passes without that rule too, most runs: a
/// probe is in flight for a fraction of a millisecond of each probe interval, so a freeze rarely catches one.)
/// </summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class LocalStallTests
{
    [Fact(Timeout = 120_000)]
    public async Task ProcessFrozenThreeTimes_PathsStayUpAndThePinStays()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await NamespaceTopology.CreateAsync(2);
        var udp = new TrafficMatch { Protocol = "udp", DestinationPorts = ["6400"] };
        using var pair = await StriperPair.StartAsync(topology, policy: new StriperPolicy
        {
            Classes = [new TrafficClassSpec { Name = "call", Match = udp, Action = TrafficAction.Pin, Pin = new PinClassOptions { Member = "a1" } }],
        });
        using var flow = UdpFlow.Open(topology, StriperPair.TunnelB, 6400);
        var before = pair.EngineA.GetSnapshot();
        var beforeB = pair.EngineB.GetSnapshot();

        // Three freezes of 150 ms (five times the shortest probe timeout) while the call runs.
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        using var freezer = ProcessRunner.Start("sh", ["-c", $"for i in 1 2 3; do sleep 0.6; kill -STOP {pid}; sleep 0.15; kill -CONT {pid}; done"]);
        var result = await flow.RunAsync(3000, 1000);
        await freezer.WaitForExitAsync(TestContext.Current.CancellationToken);

        var after = pair.EngineA.GetSnapshot();
        var afterB = pair.EngineB.GetSnapshot();
        var onPath = after.Paths.Select((p, i) => p.TxDataPackets - before.Paths[i].TxDataPackets).ToArray();
        var leftUp = after.Paths.Select((p, i) => p.TimesLeftUp - before.Paths[i].TimesLeftUp)
            .Concat(afterB.Paths.Select((p, i) => p.TimesLeftUp - beforeB.Paths[i].TimesLeftUp)).ToArray();
        var report = $"{result}; per path {string.Join(", ", onPath)}; times a path left Up (A, then B) {string.Join(", ", leftUp)}; " +
            $"stalls A {after.ControlStalls - before.ControlStalls}, B {afterB.ControlStalls - beforeB.ControlStalls}";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(after.ControlStalls - before.ControlStalls >= 3, report);
        Assert.All(leftUp, n => Assert.True(n == 0, report));
        Assert.True(onPath[0] < 30, report); // the call stayed on a1 (a few packets of the default class may go anywhere)
        Assert.Equal(3000, result.Distinct);
    }
}
