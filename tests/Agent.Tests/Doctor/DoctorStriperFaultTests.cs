using System.Diagnostics;
using Fleet.Agent.Cli;
using Fleet.Agent.Doctor;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Agent.Tests.Doctor;

/// <summary>
/// The striper faults of docs/doctor.md, "Tested faults", each made for real in the middle namespace of
/// <see cref="DoctorBed"/> while the daemon runs: the doctor names each one as its top finding, with the numbers that
/// show it. A healthy link under load gets no finding at warning or worse.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class DoctorStriperFaultTests(ITestOutputHelper log)
{
    private const string LoadRate = "20M";

    [Fact(Timeout = 120_000)]
    public async Task Doctor_PathDelayed120MsEachWay_DelaySpreadNamesThatPath()
    {
        Privileged.Require("network namespaces, veth, TUN");
        Privileged.RequireTool("/usr/bin/python3", "python3");
        await using var bed = await DoctorBed.StartAsync("dd", DoctorBed.StriperHostSpec());

        var clock = Stopwatch.StartNew();
        await bed.DelayPathAsync(1, 120);
        // The path's RTT is its own plus 2 × 120 ms; the smoothed RTT the daemon samples gets there within a few probes.
        await Eventually.TrueAsync(() => bed.LastSample("up1") is { RttMs: >= 240, Health: MemberHealth.Up }, "up1's RTT at 240 ms or more", TimeSpan.FromSeconds(30), () => bed.Agent!.Output);
        var (code, diagnosis) = await bed.DiagnoseAsync();

        ScenarioOutcome.Of("delay_120ms", "delay_spread", diagnosis, clock.Elapsed).WriteTo(log);
        Assert.Equal(ExitCodes.FindingsFound, code);
        var top = diagnosis.Findings[0];
        Assert.Equal(("delay_spread", FindingSeverity.Warning, "up1"), (top.Code, top.Severity, top.Member));
        var (up1, up2) = (Rtt(diagnosis, "up1"), Rtt(diagnosis, "up2"));
        // The delay line cannot deliver early: up1's median is at least the 240 ms it adds; up2 has no delay added.
        Assert.True(up1 >= 240 && up2 < 240 - (2 * 50), $"RTT up1 {up1} ms, up2 {up2} ms");
        Assert.Contains($"RTT {LinkDoctor.Number(up1, "ms")} on up1 against {LinkDoctor.Number(up2, "ms")} on up2", top.Observed, StringComparison.Ordinal);
        Assert.Contains($"about {LinkDoctor.Number((up1 - up2) / 2, "ms")} later, above 50 % of the hold time (200 ms)", top.Observed, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Doctor_PathDropping5PercentUnderLoad_LossyMemberNamesThatPath()
    {
        Privileged.Require("network namespaces, veth, TUN, nftables");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        Privileged.RequireTool("/usr/bin/iperf3", "iperf3");
        await using var bed = await DoctorBed.StartAsync("dl", DoctorBed.StriperHostSpec());
        var load = await bed.StartLoadAsync(DoctorBed.PeerTunnelAddress, LoadRate, seconds: 10);

        var clock = Stopwatch.StartNew();
        await bed.NftInMiddleAsync("lossy", """
            table inet fllossy {
              chain lossy {
                type filter hook forward priority 0; policy accept;
                iifname { "ma1", "mb1" } numgen random mod 100 < 5 counter drop
              }
            }
            """);
        // The receiver reports the share of up1's data packets lost; it rises towards 5 % as its smoothing catches up.
        await Eventually.TrueAsync(() => bed.LastSample("up1") is { LossPercent: >= 2.5 }, "up1's loss at 2.5 % or more", TimeSpan.FromSeconds(15), () => $"{bed.LastSample("up1")}");
        var (code, diagnosis) = await bed.DiagnoseAsync();
        var loadedThroughout = !load.IsCompleted;

        ScenarioOutcome.Of("loss_5pct", "lossy_member", diagnosis, clock.Elapsed).WriteTo(log);
        Assert.Equal(ExitCodes.FindingsFound, code);
        var top = diagnosis.Findings[0];
        Assert.Equal(("lossy_member", "up1"), (top.Code, top.Member));
        var up1 = diagnosis.Members.Single(m => m.Member == "up1").LossPercent!.Value;
        var up2 = diagnosis.Members.Single(m => m.Member == "up2").LossPercent!.Value;
        // 5 % dropped: over a window of some thousand packets the share is within a few points of it; up2 loses nothing.
        Assert.True(up1 is >= 2.5 and <= 10 && up2 < 1, $"loss up1 {up1} %, up2 {up2} %");
        Assert.Contains($"loss {LinkDoctor.Number(up1, "%")} on up1 against {LinkDoctor.Number(up2, "%")} on the best other member", top.Observed, StringComparison.Ordinal);
        // M dropped datagrams, not trains of them: a dropped packet is at most one datagram of the load (1,200 bytes of
        // payload in the tunnel plus the striper's and the path's headers), so the loss is the 5 % of independent drops
        // the bounds above assume.
        var (dropped, droppedBytes) = await bed.NftCounterBytesAsync("fllossy");
        Assert.True(dropped > 0, "the rule dropped packets");
        Assert.True(droppedBytes <= dropped * 1_400, $"{dropped} packets dropped, {droppedBytes} bytes: trains of datagrams, not datagrams");
        Assert.True(loadedThroughout, "the load outlasted the doctor's window");
        Assert.True((await load).Succeeded, "the load ran");
    }

    [Fact(Timeout = 120_000)]
    public async Task Doctor_RoundRobinOnTenAndThirtyMbitPaths_SchedulerUnsuited()
    {
        Privileged.Require("network namespaces, veth, TUN, tc tbf");
        int[] rates = [10, 30];
        MemberSpec Hint(MemberSpec m, int i) => m with { RateBitsPerSecond = rates[i - 1] * 1_000_000L };
        await using var bed = await DoctorBed.StartAsync("dr", DoctorBed.StriperHostSpec(Hint), rates);

        var clock = Stopwatch.StartNew();
        await bed.PushAsync(DoctorBed.StriperHostSpec(Hint, StripeSchedulerKind.RoundRobin));
        await Eventually.TrueAsync(() => LocalLinks.Load(bed.Host.Data.Path).Single().Spec.Striper!.Scheduler == StripeSchedulerKind.RoundRobin, "round_robin in force", TimeSpan.FromSeconds(30), () => bed.Agent!.Output);
        var (code, diagnosis) = await bed.DiagnoseAsync("1s");

        ScenarioOutcome.Of("round_robin_unequal", "scheduler_unsuited", diagnosis, clock.Elapsed).WriteTo(log);
        Assert.Equal(ExitCodes.FindingsFound, code);
        var top = diagnosis.Findings[0];
        Assert.Equal(("scheduler_unsuited", FindingSeverity.Warning), (top.Code, top.Severity));
        Assert.Equal("scheduler round_robin; weights up1 1, up2 1; rates up1 10 Mbit/s, up2 30 Mbit/s", top.Observed);
    }

    [Fact(Timeout = 120_000)]
    public async Task Doctor_HealthyLinkUnderLoad_HealthyWithoutFindings()
    {
        Privileged.Require("network namespaces, veth, TUN");
        Privileged.RequireTool("/usr/bin/iperf3", "iperf3");
        await using var bed = await DoctorBed.StartAsync("dh", DoctorBed.StriperHostSpec());

        var clock = Stopwatch.StartNew();
        var load = await bed.StartLoadAsync(DoctorBed.PeerTunnelAddress, LoadRate, seconds: 8);
        await Eventually.TrueAsync(() => DoctorBed.Paths.All(i => bed.LastSample($"up{i}") is { TxBytes: > 100_000 }), "the load on both paths", TimeSpan.FromSeconds(15));
        var (code, diagnosis) = await bed.DiagnoseAsync();
        var loadedThroughout = !load.IsCompleted;

        ScenarioOutcome.Of("healthy_under_load", "healthy", diagnosis, clock.Elapsed).WriteTo(log);
        Assert.True(code == ExitCodes.Success, string.Join(" | ", diagnosis.Findings.Select(f => $"{f.Code}: {f.Observed}")));
        Assert.Equal(DoctorVerdict.Healthy, diagnosis.Verdict);
        Assert.DoesNotContain(diagnosis.Findings, f => f.Severity >= FindingSeverity.Warning);
        // 20 Mbit/s offered, carried on both paths (transmit and receive counted): demand is well above the idle threshold.
        Assert.True(diagnosis.Members.Sum(m => m.BitsPerSecond) >= 10e6, string.Join(", ", diagnosis.Members.Select(m => $"{m.Member} {m.BitsPerSecond}")));
        Assert.True(loadedThroughout, "the load outlasted the doctor's window");
        Assert.True((await load).Succeeded, "the load ran");
    }

    private static double Rtt(Diagnosis diagnosis, string member) => diagnosis.Members.Single(m => m.Member == member).RttMs!.Value;
}
