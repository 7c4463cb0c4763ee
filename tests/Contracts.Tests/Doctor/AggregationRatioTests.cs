using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Testing;

namespace Fleet.Contracts.Tests.Doctor;

/// <summary>The aggregation ratio: the busiest interval's transmit against the carrying members' measured capacities.</summary>
public sealed class AggregationRatioTests
{
    private static readonly DateTimeOffset s_to = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private static readonly Guid s_link = Guid.Parse("0d6c7a1e-3b1f-4c9e-9f64-2a4e8c1d5b7a");

    private static LinkSpec Spec() => LinkSpecs.Striper(members:
    [
        new MemberSpec { Interface = "eth1", LocalPort = 7000, Peer = "192.0.2.1:7000" },
        new MemberSpec { Interface = "eth2", LocalPort = 7001, Peer = "192.0.2.2:7001" },
        new MemberSpec { Interface = "lte0", LocalPort = 7002, Peer = "192.0.2.3:7002", Tier = LinkTier.Backup },
    ]);

    private static MemberSample Sample(string member, int secondsAgo, long txBytes, int intervalMs = 1000) => new()
    {
        LinkId = s_link, Member = member, Time = s_to.AddSeconds(-secondsAgo), IntervalMs = intervalMs, TxBytes = txBytes, RxBytes = 9_000_000, Health = MemberHealth.Up,
    };

    [Fact]
    public void Evidence_PeakIsTheBusiestIntervalOfTheMembersTogether_NotOneMembersPeak()
    {
        // eth1 peaks 5 s ago and eth2 3 s ago; together the busiest interval is 4 s ago (3 + 3 MB): 48 Mbit/s.
        MemberSample[] samples =
        [
            Sample("eth1", 5, 5_000_000), Sample("eth2", 5, 0),
            Sample("eth1", 4, 3_000_000), Sample("eth2", 4, 3_000_000),
            Sample("eth1", 3, 0), Sample("eth2", 3, 5_000_000),
            Sample("eth1", 2, 2_500_000, intervalMs: 500), Sample("eth2", 2, 0, intervalMs: 500), // 40 Mbit/s over half a second
            new MemberSample { LinkId = Guid.NewGuid(), Member = "eth1", Time = s_to.AddSeconds(-4), IntervalMs = 1000, TxBytes = 99_000_000 }, // another link
            Sample("eth9", 4, 99_000_000), // a member the spec does not name
        ];

        var evidence = EvidenceFromSamples.Link(s_link, Spec(), samples, s_to.AddSeconds(-10), s_to);

        Assert.Equal(48e6, evidence.PeakTransmitBitsPerSecond, 1e-6);
    }

    [Fact]
    public void Of_EveryCarryingMemberMeasured_DeliveredOverTheirSum_BackupNotCounted()
    {
        var evidence = Evidence(peakMbit: 48, eth1Mbit: 20, eth2Mbit: 40, lteMbit: null);

        var ratio = AggregationRatio.Of(evidence)!;

        Assert.Equal(0.8, ratio.Ratio, 1e-9);
        Assert.Equal((48e6, 60e6), (ratio.DeliveredBitsPerSecond, ratio.CapacityBitsPerSecond));
        Assert.Equal(ratio, LinkDoctor.Diagnose(evidence).Aggregation);
    }

    [Theory]
    [InlineData(48, 20.0, null)] // eth2 never measured
    [InlineData(0.5, 20.0, 40.0)] // no demand
    public void Of_UnmeasuredMemberOrNoDemand_Null(double peakMbit, double? eth1Mbit, double? eth2Mbit)
    {
        Assert.Null(AggregationRatio.Of(Evidence(peakMbit, eth1Mbit, eth2Mbit, lteMbit: 10)));
    }

    [Fact]
    public void Of_NoCapacities_Null()
    {
        Assert.Null(AggregationRatio.Of(50e6, []));
    }

    private static LinkEvidence Evidence(double peakMbit, double? eth1Mbit, double? eth2Mbit, double? lteMbit)
    {
        var spec = Spec();
        double?[] capacities = [eth1Mbit * 1e6, eth2Mbit * 1e6, lteMbit * 1e6];
        return new LinkEvidence
        {
            LinkId = s_link,
            Spec = spec,
            From = s_to.AddMinutes(-15),
            To = s_to,
            PeakTransmitBitsPerSecond = peakMbit * 1e6,
            Members = [.. spec.Members.Select((m, i) => new MemberEvidence
            {
                Member = m.Interface, Tier = m.Tier, Samples = 900, BitsPerSecond = 20e6, MeasuredCapacityBitsPerSecond = capacities[i],
            })],
        };
    }
}
