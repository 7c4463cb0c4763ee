using Fleet.Api.Samples.Ingest;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Api.Tests.Samples.Ingest;

public sealed class BatchValidatorTests
{
    private static readonly DateTimeOffset s_now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static MemberSample Sample() => new() { LinkId = Guid.NewGuid(), Member = "eth0", Time = s_now, IntervalMs = 1000, TxBytes = 10, Health = MemberHealth.Up };

    [Fact]
    public void Validate_GoodBatch_HasNoProblems()
    {
        var batch = new SampleBatch { Sequence = 1, Samples = [Sample()], Events = [new AgentEvent { Time = s_now, Kind = AgentEventKind.MemberDown, Member = "eth0", Message = "down" }] };

        Assert.Empty(BatchValidator.Validate(batch, s_now));
    }

    [Fact]
    public void Validate_BadFields_NamesEachProblem()
    {
        var batch = new SampleBatch
        {
            Sequence = 0,
            Samples =
            [
                Sample() with { Member = "not an interface!" },
                Sample() with { TxBytes = -1 },
                Sample() with { Time = s_now.AddHours(2) },
                Sample() with { LossPercent = 120 },
            ],
        };

        var problems = BatchValidator.Validate(batch, s_now);

        Assert.Contains(problems, p => p.StartsWith("sequence", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("samples[0].member", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("samples[1]: counters cannot be negative", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("samples[2].time", StringComparison.Ordinal));
        Assert.Contains("samples[3].lossPercent must be between 0 and 100", problems);
    }

    [Fact]
    public void Validate_BadStriperPart_NamesEachProblem()
    {
        var link = Guid.NewGuid();
        var good = new ClassSample { LinkId = link, Class = "voice", Action = "fec", Time = s_now, IntervalMs = 1000, TxBytes = 100 };
        var batch = new SampleBatch
        {
            Sequence = 1,
            Samples = [],
            Striper = new StriperReport
            {
                Classes = [good, good with { Action = "teleport" }, good with { FecLost = -1 }, good with { Class = new string('c', 33) }],
                MemberStates = [new MemberState { LinkId = link, Member = "eth0", Time = s_now, Tier = (LinkTier)9 }, new MemberState { LinkId = link, Member = "eth0", Time = s_now, IdleReason = "nul\0" }],
            },
        };

        var problems = BatchValidator.Validate(batch, s_now);

        Assert.Equal(
            [
                "striper.classes[1].action is not a known action",
                "striper.classes[2]: counters cannot be negative",
                "striper.classes[3].class must be a class name of 1 to 32 characters",
                "striper.memberStates[0].tier is not a known tier",
                "striper.memberStates[1].idleReason contains U+0000 (NUL) at 3, which the database cannot store",
            ],
            problems);
    }

    [Fact]
    public void LinksOf_StriperPart_NamesItsLinks()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var batch = new SampleBatch
        {
            Sequence = 1,
            Samples = [],
            Striper = new StriperReport
            {
                Classes = [new ClassSample { LinkId = a, Class = "voice", Action = "fec", Time = s_now, IntervalMs = 1000 }],
                MemberStates = [new MemberState { LinkId = b, Member = "eth0", Time = s_now }],
            },
        };

        Assert.Equal(new[] { a, b }.Order(), BatchValidator.LinksOf(batch).Order());
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(0L, false)]
    [InlineData(86_400L, false)]
    [InlineData(-1L, true)]
    public void Validate_PendingBatches_RefusedOnlyWhenNegative(long? pending, bool refused)
    {
        var batch = new SampleBatch { Sequence = 1, Samples = [Sample()], PendingBatches = pending };

        var problems = BatchValidator.Validate(batch, s_now);

        Assert.Equal(refused, problems.Any(p => p.StartsWith("pendingBatches", StringComparison.Ordinal)));
        Assert.Equal(refused ? 1 : 0, problems.Count);
    }

    [Fact]
    public void Validate_NulOrLoneSurrogateInEventMessage_NamesTheEventAndTheCharacter()
    {
        var batch = new SampleBatch
        {
            Sequence = 1,
            Samples = [Sample()],
            Events =
            [
                new AgentEvent { Time = s_now, Kind = AgentEventKind.Drift, Message = "fine" },
                new AgentEvent { Time = s_now, Kind = AgentEventKind.Drift, Message = "a\u0000b" },
                new AgentEvent { Time = s_now, Kind = AgentEventKind.Drift, Message = "x\uD800y" },
            ],
        };

        var problems = BatchValidator.Validate(batch, s_now);

        Assert.Equal(2, problems.Count);
        Assert.StartsWith("events[1].message contains U+0000", problems[0], StringComparison.Ordinal);
        Assert.StartsWith("events[2].message contains an unpaired UTF-16 surrogate", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TooManySamples_IsRefused()
    {
        var batch = new SampleBatch { Sequence = 1, Samples = [.. Enumerable.Repeat(Sample(), BatchValidator.MaxSamples + 1)] };

        Assert.Single(BatchValidator.Validate(batch, s_now));
    }

    [Fact]
    public void LinksOf_CollectsSampleAndEventLinks()
    {
        var link = Guid.NewGuid();
        var other = Guid.NewGuid();
        var batch = new SampleBatch { Sequence = 1, Samples = [Sample() with { LinkId = link }], Events = [new AgentEvent { Time = s_now, Kind = AgentEventKind.Drift, LinkId = other, Message = "m" }] };

        Assert.Equal(new[] { link, other }.Order(), BatchValidator.LinksOf(batch).Order());
    }
}
