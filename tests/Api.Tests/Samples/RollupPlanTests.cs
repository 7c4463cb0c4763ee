using Fleet.Api.Samples;

namespace Fleet.Api.Tests.Samples;

/// <summary>Which minute ranges a rollup pass recomputes, from the batches it read (a pure function).</summary>
public sealed class RollupPlanTests
{
    private static readonly DateTime s_now = new(2026, 6, 1, 12, 0, 30, DateTimeKind.Utc);

    [Fact]
    public void Plan_ABacklogAndCurrentBatches_RecomputesTheBacklogForItsHostOnly()
    {
        var (backlog, current) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        BatchRange[] batches =
        [
            new(current, s_now.AddSeconds(-40), s_now.AddSeconds(-30)),
            new(current, s_now.AddSeconds(-20), s_now.AddSeconds(-10)),
            new(backlog, s_now.AddHours(-6), s_now.AddHours(-5)),
            new(backlog, s_now.AddHours(-5), s_now.AddHours(-4).AddSeconds(-1)),
            new(backlog, s_now.AddSeconds(-15), s_now.AddSeconds(-5)),
            new(backlog, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), s_now.AddHours(-23)),
        ];

        var plan = SampleRollupService.Plan(batches, since: s_now.AddMinutes(-1.5), earliest: s_now.AddHours(-24));

        Assert.Equal(
            [
                new RollupRange(At(6, 1, 11, 59), At(6, 1, 12, 1), null),
                new RollupRange(At(5, 31, 12, 1), At(5, 31, 13, 1), backlog),
                new RollupRange(At(6, 1, 6, 0), At(6, 1, 8, 1), backlog),
            ],
            plan);
    }

    [Fact]
    public void Plan_OnlyCurrentBatches_IsOneRangeForAllHosts()
    {
        BatchRange[] batches = [.. Enumerable.Range(0, 100).Select(i => new BatchRange(Guid.CreateVersion7(), s_now.AddSeconds(-30 - (i % 7)), s_now.AddSeconds(-i % 5)))];

        var plan = SampleRollupService.Plan(batches, since: s_now.AddMinutes(-1.5), earliest: s_now.AddHours(-24));

        Assert.Equal([new RollupRange(At(6, 1, 11, 59), At(6, 1, 12, 1), null)], plan);
    }

    [Fact]
    public void Plan_BatchesEntirelyOlderThanRetention_RecomputesNothing()
    {
        BatchRange[] batches = [new(Guid.CreateVersion7(), s_now.AddDays(-3), s_now.AddDays(-2))];

        Assert.Empty(SampleRollupService.Plan(batches, since: s_now.AddMinutes(-1.5), earliest: s_now.AddHours(-24)));
    }

    [Fact]
    public void Plan_ABatchSpanningTheRecentThreshold_SplitsAtIt()
    {
        var host = Guid.CreateVersion7();
        BatchRange[] batches = [new(host, s_now.AddMinutes(-20), s_now.AddSeconds(-1))];

        var plan = SampleRollupService.Plan(batches, since: s_now.AddMinutes(-1.5), earliest: s_now.AddHours(-24));

        // Recent: from five minutes before the pass's read-from time (11:59 - 5 = 11:54).
        Assert.Equal(
            [
                new RollupRange(At(6, 1, 11, 54), At(6, 1, 12, 1), null),
                new RollupRange(At(6, 1, 11, 40), At(6, 1, 11, 54), host),
            ],
            plan);
    }

    private static DateTime At(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, DateTimeKind.Utc);
}
