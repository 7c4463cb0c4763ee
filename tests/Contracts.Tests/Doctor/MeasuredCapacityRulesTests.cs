using System.Text.Json;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Contracts.Tests.Doctor;

/// <summary>The findings that need a path speed test: configuration against measured capacity, shaping upstream.</summary>
public sealed class MeasuredCapacityRulesTests
{
    private static readonly DateTimeOffset s_to = new(2026, 12, 7, 4, 0, 0, TimeSpan.Zero);

    private static LinkSpec Striper(StripeSchedulerKind scheduler, double weight2 = 1, long? rate1 = null, long? rate2 = null) => LinkSpecs.Striper(scheduler: scheduler, members:
    [
        new MemberSpec { Interface = "eth1", LocalPort = 7000, Peer = "192.0.2.1:7000", Weight = 1, RateBitsPerSecond = rate1 },
        new MemberSpec { Interface = "eth2", LocalPort = 7001, Peer = "192.0.2.2:7001", Weight = weight2, RateBitsPerSecond = rate2 },
    ]);

    private static Diagnosis Diagnose(LinkSpec spec, double? capacity1Mbit, double? capacity2Mbit, double? interfaceMbit = null) => LinkDoctor.Diagnose(new LinkEvidence
    {
        LinkId = Guid.Empty,
        Spec = spec,
        From = s_to.AddSeconds(-5),
        To = s_to,
        Members = [.. spec.Members.Select((m, i) => new MemberEvidence
        {
            Member = m.Interface,
            Weight = m.Weight,
            RateBitsPerSecond = m.RateBitsPerSecond,
            Samples = 5,
            BitsPerSecond = 8e6,
            RttMs = 20,
            LossPercent = 0,
            MeasuredCapacityBitsPerSecond = (i == 0 ? capacity1Mbit : capacity2Mbit) * 1e6,
            InterfaceSpeedBitsPerSecond = interfaceMbit * 1e6,
        })],
    });

    [Fact]
    public void Diagnose_EqualWeightsOnTenAndSixtyMbitPaths_CapacityMismatchOnTopWithSuggestedWeights()
    {
        var diagnosis = Diagnose(Striper(StripeSchedulerKind.Weighted), 10, 60);

        var top = diagnosis.Findings[0];
        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        Assert.Equal("capacity_mismatch", top.Code);
        Assert.Equal("eth1", top.Member); // given half, it carries a seventh: 250 % off
        Assert.Contains("eth1 10 Mbit/s, eth2 60 Mbit/s", top.Observed, StringComparison.Ordinal);
        Assert.Contains("eth1 1, eth2 6", top.Suggestion, StringComparison.Ordinal);

        // The same change for the policy editor: only the weights move.
        var spec = Striper(StripeSchedulerKind.Weighted);
        var edited = top.Edit!.ApplyTo(spec);
        Assert.Equal([1.0, 6.0], edited.Members.Select(m => m.Weight!.Value));
        Assert.Equal(spec with { Members = edited.Members }, edited);
        Assert.Equal(spec.Members[0] with { Weight = 1 }, edited.Members[0]);
    }

    [Fact]
    public void Finding_WithAndWithoutEdit_ReadsBackAsWritten()
    {
        // REST clients read the edit back with Fleet's options, which require every constructor parameter.
        var diagnosis = Diagnose(Striper(StripeSchedulerKind.Weighted), 10, 60, interfaceMbit: 1000);
        var json = JsonSerializer.Serialize(diagnosis, FleetJson.Options);
        var back = JsonSerializer.Deserialize<Diagnosis>(json, FleetJson.Options)!;

        Assert.Contains("\"weights\":{\"eth1\":1,\"eth2\":6}", json, StringComparison.Ordinal);
        Assert.Equal(diagnosis.Findings.Select(f => f.Edit?.Weights?.Values.Sum()), back.Findings.Select(f => f.Edit?.Weights?.Values.Sum()));
        Assert.Equal(10_000_000, back.Findings.Single(f => f.Code == "shaping_upstream" && f.Member == "eth1").Edit!.Rates!["eth1"]);
        Assert.Null(back.Findings.Single(f => f.Code == "capacity_mismatch").Edit!.Rates);
    }

    [Fact]
    public void Diagnose_WeightsWithinTwentyPercentOfTheCapacities_NoFinding()
    {
        Assert.Empty(Diagnose(Striper(StripeSchedulerKind.Weighted, weight2: 5), 10, 60).Findings);
    }

    [Fact]
    public void Diagnose_RateHintsOffTheCapacities_SuggestsMeasuredRates()
    {
        // Earliest arrival plans with the hints, whatever the weights.
        var top = Diagnose(Striper(StripeSchedulerKind.EarliestArrival, rate1: 50_000_000, rate2: 50_000_000), 20, 45).Findings[0];

        Assert.Equal("capacity_mismatch", top.Code);
        Assert.Contains("eth1 20 Mbit/s, eth2 45 Mbit/s", top.Suggestion, StringComparison.Ordinal);
        Assert.Equal([20_000_000L, 45_000_000L], top.Edit!.ApplyTo(Striper(StripeSchedulerKind.EarliestArrival, rate1: 50_000_000, rate2: 50_000_000)).Members.Select(m => m.RateBitsPerSecond!.Value));
        Assert.Null(top.Edit.Weights);
    }

    [Fact]
    public void Diagnose_SchedulerThatMeasuresOrNoSpeedTest_NoMismatch()
    {
        Assert.Empty(Diagnose(Striper(StripeSchedulerKind.Adaptive), 10, 60).Findings);
        Assert.Empty(Diagnose(Striper(StripeSchedulerKind.Weighted), null, null).Findings);
    }

    [Fact]
    public void Diagnose_CapacityFarBelowTheInterfaceSpeed_ShapingUpstream()
    {
        var diagnosis = Diagnose(Striper(StripeSchedulerKind.Weighted), 40, 40, interfaceMbit: 1000);

        var finding = Assert.Single(diagnosis.Findings, f => f.Member == "eth1");
        Assert.Equal(("shaping_upstream", FindingSeverity.Info), (finding.Code, finding.Severity));
        Assert.Contains("40 Mbit/s on eth1, whose interface runs at 1 Gbit/s (4 %)", finding.Observed, StringComparison.Ordinal);
        Assert.Empty(Diagnose(Striper(StripeSchedulerKind.Weighted), 800, 800, interfaceMbit: 1000).Findings);
    }
}
