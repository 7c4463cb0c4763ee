using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// The data-path threads' CPU share on a real link under load (docs/striper-protocol.md, "Counters"): the sending
/// thread held to a CFS quota reports a share that approaches the quota, and the doctor finds the link CPU-bound from it.
/// </summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class CpuBoundTests
{
    private const int QuotaPercent = 5;

    [Fact(Timeout = 60_000)]
    public async Task TransmitThreadUnderACpuQuota_ReportedShareApproachesTheQuota_DoctorFindsTheLinkCpuBound()
    {
        Privileged.Require("network namespaces, veth, TUN, the cgroup v1 cpu controller");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        Privileged.RequireFile(Path.Combine(ThreadCpuQuota.Root, "tasks"), "a cgroup v1 cpu hierarchy mounted at /sys/fs/cgroup/cpu");
        await using var topology = await NamespaceTopology.CreateAsync(1);
        using var pair = await StriperPair.StartAsync(topology, StripeSchedulerKind.Weighted);
        var transfer = Iperf.TcpAsync(topology, StriperPair.TunnelB, "-t", "7");
        await using var background = new BackgroundTransfer(transfer);
        Assert.True(await Until.TrueAsync(() => pair.EngineA.GetSnapshot().TransmitCpuPercent > 0 && pair.EngineB.GetSnapshot().Paths[0].RxDataBytes > 1 << 20, TimeSpan.FromSeconds(5)), "no TCP flow");
        var unlimited = pair.EngineA.GetSnapshot().TransmitCpuPercent;

        double[] shares;
        using (ThreadCpuQuota.Apply(pair.EngineA.TransmitCpu.ThreadId, QuotaPercent))
        {
            // A window is a second and its share stays until the next one ends: the window in which the quota began
            // mixes both and is shown until about 2 s later; the ones after it are the quota's alone.
            var sampler = new Sampler<double?>(() => pair.EngineA.GetSnapshot().TransmitCpuPercent, TimeSpan.FromMilliseconds(250));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            stop.CancelAfter(TimeSpan.FromSeconds(4.5));
            await sampler.RunAsync(stop.Token);
            shares = [.. sampler.Samples.Where(s => s.At > TimeSpan.FromSeconds(2.1)).Select(s => s.Value ?? double.NaN)];
        }

        var flow = await transfer;
        var report = $"transmit thread {unlimited:F1} % of one core before the quota; under a {QuotaPercent} % quota: {string.Join(", ", shares.Select(s => s.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}; {flow}";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        // Unless the thread wanted more than the quota, the quota proved nothing.
        Assert.True(unlimited > 1.5 * QuotaPercent, report);
        Assert.All(shares, s => Assert.InRange(s, 0.6 * QuotaPercent, 1.1 * QuotaPercent));

        // What the agent would sample from these snapshots, judged by the doctor on a host whose sending thread may use
        // a 5 % share of a core: the threshold scales with what the thread may have.
        var linkId = Guid.CreateVersion7();
        var to = DateTimeOffset.UtcNow;
        var samples = shares.Select((s, i) => new MemberSample
        {
            LinkId = linkId, Member = "a0", Time = to.AddSeconds(i - shares.Length), IntervalMs = 1_000, TxBytes = 10_000_000, CpuPercent = s, Health = MemberHealth.Up,
        });
        var evidence = EvidenceFromSamples.Link(linkId, pair.SpecA, samples, to.AddSeconds(-shares.Length), to);
        var diagnosis = LinkDoctor.Diagnose(evidence, new DoctorThresholds { CpuBoundPercent = 0.85 * QuotaPercent });
        Assert.Equal("cpu_bound", diagnosis.Findings[0].Code);
        Assert.Contains("of one core on average", diagnosis.Findings[0].Observed, StringComparison.Ordinal);
    }
}
