using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Contracts.Tests.Doctor;

/// <summary><c>mtu_black_hole</c> and <c>cpu_bound</c> on evidence built from samples: each fault on top with its numbers, and no finding without it.</summary>
public sealed class EngineMeasurementRulesTests
{
    private static readonly DateTimeOffset s_to = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid s_link = Guid.CreateVersion7();

    private static readonly LinkSpec s_spec = LinkSpecs.Striper(scheduler: StripeSchedulerKind.Weighted, members:
    [
        new MemberSpec { Interface = "eth1", LocalPort = 7000, Peer = "192.0.2.1:7000" },
        new MemberSpec { Interface = "eth2", LocalPort = 7001, Peer = "192.0.2.2:7001" },
    ]) with { Mtu = 1404 };

    private static IEnumerable<MemberSample> Samples(string member, double? large = null, double? small = null, double? cpu = null, long txDrops = 0, double loss = 0.1)
    {
        for (var i = 0; i < 60; i++)
        {
            yield return new MemberSample
            {
                LinkId = s_link,
                Member = member,
                Time = s_to.AddSeconds(-i),
                IntervalMs = 1_000,
                TxBytes = 2_500_000,
                RxBytes = 100_000,
                TxPackets = 2_000,
                TxDrops = txDrops,
                RttMs = 20,
                LossPercent = loss,
                Health = MemberHealth.Up,
                LargeProbeLossPercent = large,
                SmallProbeLossPercent = small,
                CpuPercent = cpu,
            };
        }
    }

    private static Diagnosis Diagnose(params IEnumerable<MemberSample>[] members) =>
        LinkDoctor.Diagnose(EvidenceFromSamples.Link(s_link, s_spec, members.SelectMany(m => m), s_to.AddMinutes(-1), s_to));

    [Fact]
    public void MtuBlackHole_LargeProbesLostSmallPass_WarningOnTopNamingThePath()
    {
        // A black-holed path loses the data that is full size too, so it is also lossy: the cause ranks first.
        var diagnosis = Diagnose(Samples("eth1", large: 0, small: 0), Samples("eth2", large: 100, small: 2.5, loss: 30));

        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        var top = diagnosis.Findings[0];
        Assert.Equal(("mtu_black_hole", FindingSeverity.Warning, "eth2"), (top.Code, top.Severity, top.Member));
        Assert.Contains("100 % of the full-size probes on eth2 lost against 2.5 % of the small probes", top.Observed, StringComparison.Ordinal);
        Assert.Contains("1404 bytes", top.Observed, StringComparison.Ordinal);
        Assert.Contains("mtu", top.Suggestion, StringComparison.Ordinal);
        Assert.Contains(diagnosis.Findings, f => f.Code == "lossy_member");
        Assert.DoesNotContain(diagnosis.Findings, f => f.Code == "mtu_black_hole" && f.Member == "eth1");
        Assert.Equal(100, diagnosis.Members[1].LargeProbeLossPercent);
    }

    [Theory]
    [InlineData(40.0, 0.0)]
    [InlineData(100.0, 60.0)]
    [InlineData(null, null)]
    public void MtuBlackHole_BelowTheThresholdOrSmallProbesLostToo_NoFinding(double? large, double? small)
    {
        var diagnosis = Diagnose(Samples("eth1", large: 0, small: 0), Samples("eth2", large: large, small: small));

        Assert.DoesNotContain(diagnosis.Findings, f => f.Code == "mtu_black_hole");
    }

    [Fact]
    public void CpuBound_BusiestThreadNearOneCore_WarningWithTheNumbers()
    {
        var diagnosis = Diagnose(Samples("eth1", cpu: 97, txDrops: 40), Samples("eth2", cpu: 97));

        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        var top = diagnosis.Findings[0];
        Assert.Equal(("cpu_bound", FindingSeverity.Warning, (string?)null), (top.Code, top.Severity, top.Member));
        Assert.Contains("97 % of one core on average over the last 1 min", top.Observed, StringComparison.Ordinal);
        Assert.Contains("dropped on send: eth1 2 %", top.Observed, StringComparison.Ordinal);
        Assert.Contains("faster CPU", top.Suggestion, StringComparison.Ordinal);
        Assert.Equal(97, diagnosis.Members[0].CpuPercent);
    }

    [Theory]
    [InlineData(60.0)]
    [InlineData(null)]
    public void CpuBound_BelowTheThresholdOrNotMeasured_Healthy(double? cpu)
    {
        var diagnosis = Diagnose(Samples("eth1", cpu: cpu), Samples("eth2", cpu: cpu));

        Assert.Equal(DoctorVerdict.Healthy, diagnosis.Verdict);
        Assert.Empty(diagnosis.Findings);
    }
}
