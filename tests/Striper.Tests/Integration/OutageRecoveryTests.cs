using System.Diagnostics;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>A link whose every path goes dark for longer than the rekey interval comes back by itself when they heal.</summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class OutageRecoveryTests
{
    [Fact(Timeout = 180_000)]
    public async Task TotalOutageOfTwoAndAHalfRekeyIntervals_Healed_TrafficResumesWithinFiveSeconds()
    {
        Privileged.Require("network namespaces, veth, TUN, nftables");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        var cancel = TestContext.Current.CancellationToken;
        await using var topology = await NamespaceTopology.CreateAsync(2);
        using var pair = await StriperPair.StartAsync(topology);

        // The shortest interval the validator allows; traffic before the outage so both ends are past epoch 0.
        pair.Update(spec => spec with { Striper = spec.Striper! with { RekeyIntervalSeconds = 10 } });
        Assert.True((await PingAsync(topology)).Succeeded);
        var epochs = await Until.TrueAsync(() => pair.EngineA.GetSnapshot().TxEpoch >= 1 && pair.EngineB.GetSnapshot().TxEpoch >= 1, TimeSpan.FromSeconds(15));
        Assert.True(epochs, "no rekey within the interval");

        // Every UDP datagram between the two ends dropped in the middle, for 25 s: two or three rekey intervals.
        for (var path = 0; path < topology.Paths; path++)
        {
            await topology.CutAsync(path);
        }

        await Task.Delay(TimeSpan.FromSeconds(25), cancel);
        var atHeal = (A: pair.EngineA.GetSnapshot(), B: pair.EngineB.GetSnapshot());
        for (var path = 0; path < topology.Paths; path++)
        {
            await topology.HealAsync(path);
        }

        var healed = Stopwatch.StartNew();
        ProcessResult ping;
        do
        {
            ping = await PingAsync(topology);
        }
        while (!ping.Succeeded && healed.Elapsed < TimeSpan.FromSeconds(15));

        var resumedAfter = healed.Elapsed;
        var after = (A: pair.EngineA.GetSnapshot(), B: pair.EngineB.GetSnapshot());
        var report = $"at heal: A tx/rx epoch {atHeal.A.TxEpoch}/{atHeal.A.RxEpoch}, B {atHeal.B.TxEpoch}/{atHeal.B.RxEpoch}; " +
            $"after: A {after.A.TxEpoch}/{after.A.RxEpoch}, B {after.B.TxEpoch}/{after.B.RxEpoch}, auth failures A {after.A.AuthFailures - atHeal.A.AuthFailures} " +
            $"B {after.B.AuthFailures - atHeal.B.AuthFailures}; first answered ping {resumedAfter.TotalSeconds:F1} s after healing";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(ping.Succeeded, report);
        Assert.True(resumedAfter <= TimeSpan.FromSeconds(5), report);
    }

    private static Task<ProcessResult> PingAsync(NamespaceTopology topology) =>
        topology.InAAsync("ping", "-c", "1", "-W", "1", StriperPair.TunnelB);
}
