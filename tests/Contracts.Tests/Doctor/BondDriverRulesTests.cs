using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Contracts.Tests.Doctor;

/// <summary>
/// The bond findings judged from the driver's report (LACP aggregation, member speeds under balance-rr, no link monitor)
/// on reports built by hand, with their thresholds; Agent.Tests Doctor.BondDriverFindingsTests runs them on
/// /proc/net/bonding text.
/// </summary>
public sealed class BondDriverRulesTests
{
    private static readonly DateTimeOffset s_to = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static Diagnosis Diagnose(LinkSpec spec, ObservedBond? bond) => LinkDoctor.Diagnose(EvidenceFromSamples.WithBond(new LinkEvidence
    {
        LinkId = Guid.Empty,
        Spec = spec,
        From = s_to.AddMinutes(-15),
        To = s_to,
        Members = [.. spec.Members.Select(m => new MemberEvidence { Member = m.Interface, AdminState = m.AdminState, Samples = 900, BitsPerSecond = 40e6, RttMs = 2 })],
    }, bond));

    private static ObservedBond Lacp(string? partner2 = "76:9d:b2:f9:6e:75", int aggregator2 = 1) => new()
    {
        MiimonMs = 100,
        ActiveAggregatorId = 1,
        Members =
        [
            new ObservedBondMember { Member = "eth1", SpeedMbps = 1000, AggregatorId = 1, PartnerMacAddress = "76:9d:b2:f9:6e:75" },
            new ObservedBondMember { Member = "eth2", SpeedMbps = 1000, AggregatorId = aggregator2, PartnerMacAddress = partner2 },
        ],
    };

    private static ObservedBond Speeds(int mbps1, int? mbps2) => new()
    {
        MiimonMs = 100,
        Members = [new ObservedBondMember { Member = "eth1", SpeedMbps = mbps1 }, new ObservedBondMember { Member = "eth2", SpeedMbps = mbps2 }],
    };

    [Fact]
    public void Diagnose_8023adPortWithoutPartner_LacpNotAggregatingOnTop()
    {
        var diagnosis = Diagnose(LinkSpecs.Bond(mode: BondMode.Ieee8023ad), Lacp(partner2: "00:00:00:00:00:00", aggregator2: 2));

        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        var finding = diagnosis.Findings[0];
        Assert.Equal(("lacp_not_aggregating", FindingSeverity.Warning, "eth2"), (finding.Code, finding.Severity, finding.Member));
        Assert.Contains("no LACP partner", finding.Title, StringComparison.Ordinal);
        Assert.Contains("partner MAC 00:00:00:00:00:00 (no LACPDU received), aggregator 2; the bond's active aggregator is 1 (eth1)", finding.Observed, StringComparison.Ordinal);
        Assert.Contains("runs on 1 of its 2 members", finding.Why, StringComparison.Ordinal);
        Assert.Contains("port-channel", finding.Suggestion, StringComparison.Ordinal);
        Assert.Equal(diagnosis.Bond, Lacp(partner2: "00:00:00:00:00:00", aggregator2: 2));
    }

    [Fact]
    public void Diagnose_8023adPortInAnotherAggregatorWithAPartner_LacpNotAggregating()
    {
        var diagnosis = Diagnose(LinkSpecs.Bond(mode: BondMode.Ieee8023ad), Lacp(partner2: "76:9d:b2:f9:6e:99", aggregator2: 3));

        var finding = Assert.Single(diagnosis.Findings, f => f.Code == "lacp_not_aggregating");
        Assert.Equal("eth2", finding.Member);
        Assert.Contains("another aggregator", finding.Title, StringComparison.Ordinal);
        Assert.Contains("partner MAC 76:9d:b2:f9:6e:99, aggregator 3", finding.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnose_8023adBothPortsInTheActiveAggregator_NoLacpFinding()
    {
        var diagnosis = Diagnose(LinkSpecs.Bond(mode: BondMode.Ieee8023ad), Lacp());

        Assert.DoesNotContain(diagnosis.Findings, f => f.Code == "lacp_not_aggregating");
        Assert.Equal(DoctorVerdict.Healthy, diagnosis.Verdict);
    }

    [Fact]
    public void Diagnose_BalanceRrOver1000And100Mbit_UnequalSpeedsWithTheCeiling()
    {
        var diagnosis = Diagnose(LinkSpecs.Bond(mode: BondMode.BalanceRoundRobin), Speeds(1000, 100));

        var finding = Assert.Single(diagnosis.Findings);
        Assert.Equal(("unequal_speeds", FindingSeverity.Warning, "eth2"), (finding.Code, finding.Severity, finding.Member));
        Assert.Contains("link speeds eth1 1000 Mbit/s, eth2 100 Mbit/s", finding.Observed, StringComparison.Ordinal);
        Assert.Contains("at most 2 × 100 = 200 Mbit/s of the 1100 Mbit/s", finding.Why, StringComparison.Ordinal);
        Assert.Contains("802.3ad", finding.Suggestion, StringComparison.Ordinal);
        Assert.Equal(100e6, diagnosis.Members[1].InterfaceSpeedBitsPerSecond);
    }

    [Theory]
    [InlineData(1000, 1000)]
    [InlineData(1000, 900)]
    [InlineData(1000, null)]
    public void Diagnose_BalanceRrSpeedsWithinTheRatioOrUnknown_NoFinding(int mbps1, int? mbps2)
    {
        var diagnosis = Diagnose(LinkSpecs.Bond(mode: BondMode.BalanceRoundRobin), Speeds(mbps1, mbps2));

        Assert.Empty(diagnosis.Findings);
    }

    [Fact]
    public void Diagnose_BalanceXorOverUnequalSpeeds_NoSpeedFinding()
    {
        var diagnosis = Diagnose(LinkSpecs.Bond(mode: BondMode.BalanceXor), Speeds(1000, 100));

        Assert.DoesNotContain(diagnosis.Findings, f => f.Code == "unequal_speeds");
    }

    [Theory]
    [InlineData(BondMode.ActiveBackup)]
    [InlineData(BondMode.BalanceRoundRobin)]
    [InlineData(BondMode.Ieee8023ad)]
    [InlineData(BondMode.BalanceXor)]
    [InlineData(BondMode.BalanceTlb)]
    [InlineData(BondMode.BalanceAlb)]
    public void Diagnose_AdoptedBondWithoutMiimonOrArp_MiimonOff(BondMode mode)
    {
        var diagnosis = Diagnose(LinkSpecs.Bond(mode: mode) with { Adopt = true }, Speeds(1000, 1000) with { MiimonMs = 0 });

        var finding = Assert.Single(diagnosis.Findings, f => f.Severity == FindingSeverity.Warning);
        Assert.Equal(("miimon_off", (string?)null), (finding.Code, finding.Member));
        Assert.Equal("miimon 0 ms and arp_interval 0 ms on bond0, as the kernel has them now", finding.Observed);
        Assert.Contains("miimon 100", finding.Suggestion, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnose_ArpMonitorWithoutMiimon_NoMiimonFinding()
    {
        var diagnosis = Diagnose(LinkSpecs.Bond(mode: BondMode.ActiveBackup), Speeds(1000, 1000) with { MiimonMs = 0, ArpIntervalMs = 1000 });

        Assert.DoesNotContain(diagnosis.Findings, f => f.Code == "miimon_off");
    }

    [Fact]
    public void Diagnose_NoBondReport_NoDriverFindingAndNoBondInTheDiagnosis()
    {
        var diagnosis = Diagnose(LinkSpecs.Bond(mode: BondMode.BalanceRoundRobin), null);

        Assert.Empty(diagnosis.Findings);
        Assert.Null(diagnosis.Bond);
    }

    [Fact]
    public void ObservedBond_SameContent_EqualSoTheAgentReportsOnlyAChange()
    {
        Assert.Equal(Lacp(), Lacp());
        Assert.NotEqual(Lacp(), Lacp(aggregator2: 2));
    }
}
