using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>Paths shaped with tbf in the middle namespace: a path our own traffic fills is full, not failing.</summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class ShapedPathTests
{
    [Fact(Timeout = 120_000)]
    public async Task ActiveBackup_PrimaryFilledByOneTcpFlow_StaysUpAndCarriesEverything()
    {
        Privileged.Require("network namespaces, veth, TUN, tc tbf");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        var cancel = TestContext.Current.CancellationToken;
        await using var topology = await NamespaceTopology.CreateAsync(2, [10, 30]);
        using var pair = await StriperPair.StartAsync(topology, StripeSchedulerKind.ActiveBackup);
        var sampler = new Sampler<(MemberHealth Health, string Reason)>(
            () => pair.EngineA.GetSnapshot().Paths[0] is var p ? (p.Health, p.HealthReason) : default,
            TimeSpan.FromMilliseconds(10));
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.Run(() => sampler.RunAsync(stopSampling.Token), cancel);
        var before = (A: pair.EngineA.GetSnapshot(), B: pair.EngineB.GetSnapshot());

        // One TCP flow fills the 10 Mbit/s primary: its tbf queue overflows and drops packets (and now and then a
        // probe). That is congestion, which TCP handles; the striper must not take it for a failing path and move the
        // flow to the backup path and back.
        var transfer = await Iperf.TcpAsync(topology, StriperPair.TunnelB, "-t", "6");
        await stopSampling.CancelAsync();
        await sampling;
        var after = (A: pair.EngineA.GetSnapshot(), B: pair.EngineB.GetSnapshot());

        var primary = after.A.Paths[0].TxDataBytes - before.A.Paths[0].TxDataBytes;
        var backup = after.A.Paths[1].TxDataBytes - before.A.Paths[1].TxDataBytes;
        var lost = after.B.Paths[0].RxLost - before.B.Paths[0].RxLost;
        var notUp = sampler.Samples.Where(s => s.Value.Health != MemberHealth.Up).ToList();
        var report = $"{transfer}; primary {primary} B, backup {backup} B, {lost} lost on the primary; " +
            $"primary not up in {notUp.Count} of {sampler.Samples.Count} samples ({string.Join("; ", notUp.Select(s => s.Value.Reason).Distinct())})";
        TestContext.Current.TestOutputHelper?.WriteLine(report);

        Assert.True(transfer.Completed, report);
        Assert.True(transfer.Retransmits > 0 || lost > 0, $"the primary was never full: {report}");
        Assert.True(backup < primary * 3 / 100, report); // a probe lost in the queue may cost a round trip on the backup
        Assert.True(notUp.Count * 50 <= sampler.Samples.Count, report); // at most 2 % of the time (a probe lost in the queue)
        Assert.Equal(before.A.Sessions, after.A.Sessions);
    }
}
