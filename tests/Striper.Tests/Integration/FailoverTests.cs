using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class FailoverTests
{
    [Fact(Timeout = 120_000)]
    public async Task SilentPathCut_DuringTransfer_TrafficLeavesWithin300MsTcpSurvivesAndPathReturns()
    {
        Privileged.Require("network namespaces, veth, TUN, nftables");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        var cancel = TestContext.Current.CancellationToken;
        await using var topology = await NamespaceTopology.CreateAsync(2);
        using var pair = await StriperPair.StartAsync(topology);
        var sessions = (pair.EngineA.GetSnapshot().Sessions, pair.EngineB.GetSnapshot().Sessions);
        var sampler = new Sampler<(long A, long B)>(
            () => (pair.EngineA.GetSnapshot().Paths[0].TxDataPackets, pair.EngineB.GetSnapshot().Paths[0].TxDataPackets),
            TimeSpan.FromMilliseconds(5));
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.Run(() => sampler.RunAsync(stopSampling.Token), cancel);

        var transfer = Iperf.StartTcp(topology, StriperPair.TunnelB, "-t", "8");
        await Task.Delay(2000, cancel);
        var cutAt = sampler.Now;
        await topology.CutAsync(0);
        await Task.Delay(2000, cancel);
        var duringCut = (pair.EngineA.GetSnapshot().Paths[0], pair.EngineB.GetSnapshot().Paths[0]);
        var healAt = sampler.Now;
        await topology.HealAsync(0);

        // The path comes back: up after the hysteresis, carrying data again.
        var deadline = DateTime.UtcNow.AddSeconds(4);
        var returned = false;
        while (DateTime.UtcNow < deadline && !returned)
        {
            await Task.Delay(50, cancel);
            var path = pair.EngineA.GetSnapshot().Paths[0];
            returned = path.Health == MemberHealth.Up && path.TxDataPackets > duringCut.Item1.TxDataPackets;
        }

        var result = await transfer;
        await stopSampling.CancelAsync();
        await sampling;

        Assert.True(result.Completed, result.ToString());
        Assert.Equal(sessions, (pair.EngineA.GetSnapshot().Sessions, pair.EngineB.GetSnapshot().Sessions));
        Assert.Equal(MemberHealth.Down, duringCut.Item1.Health);
        Assert.Equal(MemberHealth.Down, duringCut.Item2.Health);
        Assert.True(returned, "path 0 did not come back after healing");

        // The last time each end handed data to the dead path, measured from the moment the cut was ordered.
        var window = sampler.Samples.Where(s => s.At >= cutAt && s.At <= healAt).ToList();
        Assert.NotEmpty(window);
        var lastA = LastIncrease(window, s => s.A, cutAt);
        var lastB = LastIncrease(window, s => s.B, cutAt);
        TestContext.Current.TestOutputHelper?.WriteLine($"traffic left the cut path after {(lastA - cutAt).TotalMilliseconds:F0} ms (A) and {(lastB - cutAt).TotalMilliseconds:F0} ms (B); {result}");
        Assert.True(lastA - cutAt <= TimeSpan.FromMilliseconds(300), $"A kept sending on the dead path for {(lastA - cutAt).TotalMilliseconds:F0} ms");
        Assert.True(lastB - cutAt <= TimeSpan.FromMilliseconds(300), $"B kept sending on the dead path for {(lastB - cutAt).TotalMilliseconds:F0} ms");
    }

    private static TimeSpan LastIncrease(List<(TimeSpan At, (long A, long B) Value)> samples, Func<(long A, long B), long> value, TimeSpan from)
    {
        var last = from;
        for (var i = 1; i < samples.Count; i++)
        {
            if (value(samples[i].Value) > value(samples[i - 1].Value))
            {
                last = samples[i].At;
            }
        }

        return last;
    }
}
