using System.Diagnostics;
using Fleet.Striper.Engine;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// A link whose every path goes dark for longer than the rekey interval comes back by itself when they heal; so does a
/// link whose listening end restarts.
/// </summary>
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

    [Fact(Timeout = 60_000)]
    public async Task ListeningEndRestarted_DiallingEndHandshakesAgain_TrafficResumes()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await NamespaceTopology.CreateAsync(2);
        using var pair = await StriperPair.StartAsync(topology);
        Assert.True((await PingAsync(topology)).Succeeded);

        // B only listens: a new B does not know where A is, so only A can start the next handshake. A's session was
        // confirmed, so it had stopped sending hellos; it must start again once nothing answers it.
        pair.EngineB.Dispose();
        using var restarted = StriperEngine.Start(pair.SpecB, new StriperEngineOptions { NetworkNamespacePath = NamespaceTopology.NamespacePath(topology.B) });
        await ProcessRunner.CheckedAsync("ip", "-n", topology.B, "addr", "add", $"{StriperPair.TunnelB}/30", "dev", restarted.DeviceName);

        var session = await restarted.WaitForSessionAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var resumed = await Until.TrueAsync(() => PingAsync(topology).GetAwaiter().GetResult().Succeeded, TimeSpan.FromSeconds(10));

        Assert.True(session, "the restarted listener got no session");
        Assert.True(resumed, "no ping answered after the restart");
        Assert.True(pair.EngineA.GetSnapshot().Sessions >= 2, "A kept its old session"); // hellos on both paths may complete two handshakes
    }

    private static Task<ProcessResult> PingAsync(NamespaceTopology topology) =>
        topology.InAAsync("ping", "-c", "1", "-W", "1", StriperPair.TunnelB);
}
