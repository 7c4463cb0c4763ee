using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Contracts.Tests.Doctor;

/// <summary>The link doctor's rules on evidence built by hand: each fault gives its finding on top, with its numbers; a healthy link gives none.</summary>
public sealed class LinkDoctorTests
{
    private static readonly DateTimeOffset s_to = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static MemberEvidence Member(string name, double mbps, double? rttMs = 20, double? lossPercent = 0.05, double downShare = 0, int samples = 900, LinkSpec? spec = null)
    {
        var member = spec?.Members.Single(m => m.Interface == name);
        return new MemberEvidence
        {
            Member = name,
            AdminState = member?.AdminState ?? MemberAdminState.Active,
            Tier = member?.Tier,
            Weight = member?.Weight,
            RateBitsPerSecond = member?.RateBitsPerSecond,
            Samples = samples,
            DownShare = downShare,
            BitsPerSecond = mbps * 1e6,
            RttMs = rttMs,
            LossPercent = lossPercent,
        };
    }

    private static Diagnosis Diagnose(LinkSpec spec, params Func<LinkSpec, MemberEvidence>[] members) => LinkDoctor.Diagnose(new LinkEvidence
    {
        LinkId = Guid.Empty,
        Spec = spec,
        From = s_to.AddMinutes(-15),
        To = s_to,
        Members = [.. members.Select(m => m(spec))],
    });

    private static LinkSpec Striper(StripeSchedulerKind scheduler = StripeSchedulerKind.Weighted, double weight2 = 3) => LinkSpecs.Striper(scheduler: scheduler, members:
    [
        new MemberSpec { Interface = "eth1", LocalPort = 7000, Peer = "192.0.2.1:7000", Weight = 1 },
        new MemberSpec { Interface = "eth2", LocalPort = 7001, Peer = "192.0.2.2:7001", Weight = weight2 },
    ]);

    [Fact]
    public void HealthyStriper_NoFinding()
    {
        var diagnosis = Diagnose(Striper(), s => Member("eth1", 12, spec: s), s => Member("eth2", 36, rttMs: 25, spec: s));

        Assert.Equal(DoctorVerdict.Healthy, diagnosis.Verdict);
        Assert.Empty(diagnosis.Findings);
        Assert.StartsWith("Healthy: 2 members carrying", diagnosis.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void NoSamples_NoData()
    {
        var diagnosis = Diagnose(Striper(), s => Member("eth1", 0, samples: 0, spec: s), s => Member("eth2", 0, samples: 0, spec: s));

        Assert.Equal(DoctorVerdict.NoData, diagnosis.Verdict);
        Assert.Empty(diagnosis.Findings);
    }

    [Fact]
    public void IdleLink_NoDemandNotAFault()
    {
        var diagnosis = Diagnose(Striper(), s => Member("eth1", 0.1, spec: s), s => Member("eth2", 0.2, spec: s));

        Assert.Equal(DoctorVerdict.NoDemand, diagnosis.Verdict);
        var finding = Assert.Single(diagnosis.Findings);
        Assert.Equal(("no_demand", FindingSeverity.Info), (finding.Code, finding.Severity));
        Assert.Contains("300 kbit/s", finding.Observed, StringComparison.Ordinal);
        Assert.Contains("last 15 min", finding.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void PrimaryMemberDown_CriticalOnTop_BeforeWhatItCauses()
    {
        var diagnosis = Diagnose(Striper(StripeSchedulerKind.RoundRobin), s => Member("eth1", 40, spec: s), s => Member("eth2", 0, downShare: 0.8, spec: s));

        Assert.Equal(DoctorVerdict.Impaired, diagnosis.Verdict);
        var top = diagnosis.Findings[0];
        Assert.Equal(("member_down", FindingSeverity.Critical, "eth2"), (top.Code, top.Severity, top.Member));
        Assert.Contains("eth2 down in 80", top.Observed, StringComparison.Ordinal);
        Assert.Contains("1 of 2 members", top.Why, StringComparison.Ordinal);
        Assert.Equal("eth2 is down", diagnosis.Summary);
    }

    [Fact]
    public void BackupMemberDown_OnlyAWarning()
    {
        var spec = LinkSpecs.Striper(members:
        [
            new MemberSpec { Interface = "eth1", LocalPort = 7000, Peer = "192.0.2.1:7000" },
            new MemberSpec { Interface = "wwan0", LocalPort = 7001, Peer = "192.0.2.2:7001", Tier = LinkTier.Backup },
        ]);

        var diagnosis = Diagnose(spec, s => Member("eth1", 40, spec: s), s => Member("wwan0", 0, downShare: 1, spec: s));

        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        Assert.Equal(("member_down", FindingSeverity.Warning), (diagnosis.Findings[0].Code, diagnosis.Findings[0].Severity));
    }

    [Fact]
    public void SilentMember_Warning()
    {
        var diagnosis = Diagnose(Striper(), s => Member("eth1", 40, spec: s), s => Member("eth2", 0, samples: 0, spec: s));

        var finding = Assert.Single(diagnosis.Findings);
        Assert.Equal(("member_silent", "eth2"), (finding.Code, finding.Member));
    }

    [Fact]
    public void OneLossyMember_FindingWithBothLosses_AndTheKindsSuggestion()
    {
        var diagnosis = Diagnose(Striper(), s => Member("eth1", 12, lossPercent: 0.05, spec: s), s => Member("eth2", 36, lossPercent: 5, spec: s));

        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        var finding = Assert.Single(diagnosis.Findings);
        Assert.Equal(("lossy_member", "eth2"), (finding.Code, finding.Member));
        Assert.Contains("loss 5 % on eth2 against 0.1 % on the best other member", finding.Observed, StringComparison.Ordinal);
        Assert.Contains("tier backup", finding.Suggestion, StringComparison.Ordinal);
        Assert.Contains("fec", finding.Suggestion, StringComparison.Ordinal);
        Assert.Equal([null, LinkTier.Backup], finding.Edit!.ApplyTo(Striper()).Members.Select(m => m.Tier));
    }

    [Fact]
    public void EveryMemberEquallyLossy_NotALossyMemberFinding()
    {
        var diagnosis = Diagnose(Striper(), s => Member("eth1", 12, lossPercent: 4, spec: s), s => Member("eth2", 36, lossPercent: 5, spec: s));

        Assert.DoesNotContain(diagnosis.Findings, f => f.Code == "lossy_member");
    }

    [Fact]
    public void StriperDelaySpreadAboveHalfTheHoldTime_FindingOnTheSlowPath()
    {
        // 20 ms and 260 ms: the slow path's packets arrive ~120 ms later, above half the 200 ms hold time.
        var diagnosis = Diagnose(Striper(), s => Member("eth1", 12, rttMs: 20, spec: s), s => Member("eth2", 36, rttMs: 260, spec: s));

        var finding = Assert.Single(diagnosis.Findings);
        Assert.Equal(("delay_spread", "eth2"), (finding.Code, finding.Member));
        Assert.Contains("about 120 ms later", finding.Observed, StringComparison.Ordinal);
        Assert.Contains("earliest_arrival", finding.Suggestion, StringComparison.Ordinal);
        Assert.Equal(StripeSchedulerKind.EarliestArrival, finding.Edit!.ApplyTo(Striper()).Striper!.Scheduler);
    }

    [Theory]
    [InlineData(StripeSchedulerKind.Weighted, 180, false)] // 80 ms one way: below half the hold time
    [InlineData(StripeSchedulerKind.EarliestArrival, 260, false)] // that scheduler plans for the delay
    [InlineData(StripeSchedulerKind.Adaptive, 260, true)]
    public void StriperDelaySpread_OnlyAboveTheLimitAndForSchedulersThatIgnoreDelay(StripeSchedulerKind scheduler, double slowRttMs, bool expected)
    {
        var diagnosis = Diagnose(Striper(scheduler), s => Member("eth1", 12, rttMs: 20, spec: s), s => Member("eth2", 36, rttMs: slowRttMs, spec: s));

        Assert.Equal(expected, diagnosis.Findings.Any(f => f.Code == "delay_spread"));
    }

    [Fact]
    public void StriperRoundRobinOverUnequalWeights_SchedulerUnsuited()
    {
        var diagnosis = Diagnose(Striper(StripeSchedulerKind.RoundRobin), s => Member("eth1", 12, spec: s), s => Member("eth2", 12, spec: s));

        var finding = Assert.Single(diagnosis.Findings);
        Assert.Equal("scheduler_unsuited", finding.Code);
        Assert.Contains("eth1 1, eth2 3", finding.Observed, StringComparison.Ordinal);
        Assert.Contains("weighted", finding.Suggestion, StringComparison.Ordinal);
        var spec = Striper(StripeSchedulerKind.RoundRobin);
        var edited = finding.Edit!.ApplyTo(spec);
        Assert.Equal(spec.Members, edited.Members);
        Assert.Equal(spec with { Members = edited.Members, Striper = spec.Striper! with { Scheduler = StripeSchedulerKind.Weighted } }, edited);
    }

    [Fact]
    public void StriperRoundRobinOverEqualWeights_Nothing()
    {
        var diagnosis = Diagnose(Striper(StripeSchedulerKind.RoundRobin, weight2: 1), s => Member("eth1", 12, spec: s), s => Member("eth2", 12, spec: s));

        Assert.Empty(diagnosis.Findings);
    }

    [Fact]
    public void StriperActiveBackupWithTwoPathsUp_InfoNoAggregationByDesign_VerdictHealthy()
    {
        var diagnosis = Diagnose(Striper(StripeSchedulerKind.ActiveBackup), s => Member("eth1", 40, spec: s), s => Member("eth2", 0.01, spec: s));

        Assert.Equal(DoctorVerdict.Healthy, diagnosis.Verdict);
        Assert.Equal(("no_aggregation_by_design", FindingSeverity.Info), (diagnosis.Findings[0].Code, diagnosis.Findings[0].Severity));
    }

    [Fact]
    public void Bond8023adWithOneMemberCarryingAll_OneFlowOneMember()
    {
        var spec = LinkSpecs.Bond(mode: BondMode.Ieee8023ad);

        var diagnosis = Diagnose(spec, s => Member("eth1", 97, spec: s), s => Member("eth2", 3, spec: s));

        var finding = Assert.Single(diagnosis.Findings);
        Assert.Equal(("one_flow_one_member", FindingSeverity.Info, "eth1"), (finding.Code, finding.Severity, finding.Member));
        Assert.Contains("97", finding.Observed, StringComparison.Ordinal);
        Assert.Contains("layer2 (the default)", finding.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void BondBalanceRrOverPathsOfDifferentDelay_DelaySpread()
    {
        var spec = LinkSpecs.Bond(mode: BondMode.BalanceRoundRobin);

        var diagnosis = Diagnose(spec, s => Member("eth1", 40, rttMs: 2, spec: s), s => Member("eth2", 40, rttMs: 32, spec: s));

        var finding = Assert.Single(diagnosis.Findings);
        Assert.Equal(("delay_spread", "eth2"), (finding.Code, finding.Member));
        Assert.Contains("30 ms apart", finding.Observed, StringComparison.Ordinal);
        Assert.Contains("balance-rr", finding.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void TeqlOverPathsOfDifferentDelay_DelaySpread_ButNotBelowTheThreshold()
    {
        var far = Diagnose(LinkSpecs.Teql(), s => Member("eth1", 40, rttMs: 2, spec: s), s => Member("eth2", 40, rttMs: 12, spec: s));
        var near = Diagnose(LinkSpecs.Teql(), s => Member("eth1", 40, rttMs: 2, spec: s), s => Member("eth2", 40, rttMs: 6, spec: s));

        Assert.Equal("delay_spread", Assert.Single(far.Findings).Code);
        Assert.Empty(near.Findings);
    }

    [Fact]
    public void MptcpAllOnOneSubflowLimitTooLowAndAnEndpointWithoutFlags_ThreeFindings()
    {
        var spec = LinkSpecs.Mptcp() with
        {
            Members =
            [
                new MemberSpec { Interface = "eth1", Address = "192.0.2.10", MptcpFlags = [MptcpEndpointFlag.Signal, MptcpEndpointFlag.Subflow] },
                new MemberSpec { Interface = "eth2", Address = "192.0.2.11", MptcpFlags = [MptcpEndpointFlag.Subflow] },
                new MemberSpec { Interface = "eth3", Address = "192.0.2.12", MptcpFlags = [MptcpEndpointFlag.Fullmesh] },
            ],
            Mptcp = new MptcpOptions { SubflowsLimit = 1 },
        };

        var diagnosis = Diagnose(spec, s => Member("eth1", 50, spec: s), s => Member("eth2", 0.5, spec: s), s => Member("eth3", 0, spec: s));

        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        Assert.Equal(["mptcp_limits", "endpoint_flags", "one_subflow"], diagnosis.Findings.Select(f => f.Code));
        Assert.Equal("eth3", diagnosis.Findings[1].Member);
        Assert.Contains("mptcpize", diagnosis.Findings[2].Suggestion, StringComparison.Ordinal);
    }

    [Fact]
    public void MptcpSignalOnlyEndpointWhileAnotherMemberCarriesAll_EndpointFlagsBeforeOneSubflow()
    {
        var spec = LinkSpecs.Mptcp() with
        {
            Members =
            [
                new MemberSpec { Interface = "eth1", Address = "192.0.2.10", MptcpFlags = [MptcpEndpointFlag.Signal] },
                new MemberSpec { Interface = "eth2", Address = "192.0.2.11", MptcpFlags = [MptcpEndpointFlag.Signal] },
            ],
        };

        var concentrated = Diagnose(spec, s => Member("eth1", 50, spec: s), s => Member("eth2", 0.5, spec: s));
        var spread = Diagnose(spec, s => Member("eth1", 30, spec: s), s => Member("eth2", 20, spec: s));

        Assert.Equal(["endpoint_flags", "one_subflow"], concentrated.Findings.Select(f => f.Code));
        Assert.Equal("eth2", concentrated.Findings[0].Member);
        Assert.Contains("eth2's endpoint has signal but not subflow, and eth1 carried 99 %", concentrated.Findings[0].Observed, StringComparison.Ordinal);
        Assert.Contains("MP_JOIN", concentrated.Findings[1].Suggestion, StringComparison.Ordinal);
        Assert.Empty(spread.Findings);
    }
}
