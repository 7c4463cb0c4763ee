using Fleet.Agent.Backends;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.Sampling;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Sampling;

/// <summary><see cref="ClassSampler"/> and <see cref="MemberStateSampler"/>: a striper link's classes and members' tier and idle reason.</summary>
public sealed class StriperSamplerTests
{
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000311");
    private static readonly DateTimeOffset s_t0 = new(2026, 12, 6, 11, 0, 0, TimeSpan.Zero);
    private readonly LinkSpec _spec = Specs.Bond(mode: BondMode.BalanceRoundRobin);

    [Fact]
    public void ClassSampler_TwoObservations_GivesDeltasOverTheInterval()
    {
        var sampler = new ClassSampler();

        Assert.Empty(sampler.Sample(s_t0, [Observe(Class("voice", "fec", 100, 16_000, parityBytes: 2_000))]));
        var samples = sampler.Sample(s_t0.AddSeconds(2), [Observe(Class("voice", "fec", 500, 80_000, parityBytes: 12_000, lost: 2))]);

        var voice = Assert.Single(samples);
        Assert.Equal(("voice", "fec", 2000), (voice.Class, voice.Action, voice.IntervalMs));
        Assert.Equal((400, 64_000, 10_000, 2), (voice.TxPackets, voice.TxBytes, voice.FecParityBytes, voice.FecLost));
    }

    [Fact]
    public void ClassSampler_ClassRenamedAtItsPosition_StartsANewBaseline()
    {
        var sampler = new ClassSampler();
        sampler.Sample(s_t0, [Observe(Class("voice", "fec", 1_000, 160_000))]);

        // A smaller counter under another name is a new class, not a counter reset of the old one.
        var samples = sampler.Sample(s_t0.AddSeconds(1), [Observe(Class("video", "pin", 10, 1_600))]);

        Assert.Empty(samples);
    }

    [Fact]
    public void MemberStateSampler_SendsFirstAndChangedStatesOnly()
    {
        var sampler = new MemberStateSampler();

        var first = sampler.Sample(s_t0, [Observe(tier: LinkTier.Overflow, idle: "overflow: the primaries are not saturated")]);
        var same = sampler.Sample(s_t0.AddSeconds(1), [Observe(tier: LinkTier.Overflow, idle: "overflow: the primaries are not saturated")]);
        var changed = sampler.Sample(s_t0.AddSeconds(2), [Observe(tier: LinkTier.Overflow, idle: null)]);

        Assert.Equal(("eth0", LinkTier.Overflow, "overflow: the primaries are not saturated"), (first[0].Member, first[0].Tier, first[0].IdleReason));
        Assert.Empty(same);
        Assert.Null(Assert.Single(changed).IdleReason);
    }

    [Fact]
    public void MemberStateSampler_MemberWithoutTier_IsNotReported()
    {
        var sampler = new MemberStateSampler();

        Assert.Empty(sampler.Sample(s_t0, [Observe(tier: null, idle: null)]));
    }

    private static ClassObservation Class(string name, string action, ulong packets, ulong bytes, ulong parityBytes = 0, ulong lost = 0) =>
        new(name, action, new ClassCounters(packets, bytes, 0, 0, packets / 8, packets / 8, parityBytes, 0, packets, bytes, 0, 0, lost));

    private ObservedLink Observe(ClassObservation? trafficClass = null, LinkTier? tier = LinkTier.Primary, string? idle = null) =>
        new(s_link, _spec, new LinkObservation(true, [new MemberObservation { Interface = "eth0", Health = MemberHealth.Up, Tier = tier, IdleReason = idle }])
        {
            Classes = trafficClass is null ? [] : [trafficClass],
        });
}
