using Fleet.Contracts.Links;
using Fleet.Web.Links;

namespace Fleet.Web.Tests.Links;

public sealed class HealthTimelineTests
{
    private static readonly DateTimeOffset s_from = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static SeriesPoint At(int second, MemberHealth health) => new(s_from.AddSeconds(second), 0, 0, 0, 0, null, null, health);

    [Fact]
    public void Build_HealthChanges_OneSegmentPerStretch()
    {
        var points = Enumerable.Range(1, 100).Select(i => At(i, i is > 40 and <= 50 ? MemberHealth.Down : MemberHealth.Up)).ToList();

        var segments = HealthTimeline.Build(points, s_from, s_from.AddSeconds(100), TimeSpan.FromSeconds(1));

        Assert.Equal([MemberHealth.Up, MemberHealth.Down, MemberHealth.Up], segments.Select(s => s.Health));
        Assert.Equal(0.4, segments[1].Left, 3);
        Assert.Equal(0.1, segments[1].Width, 3);
    }

    [Fact]
    public void Build_GapInSamples_SplitsTheSegment()
    {
        var points = new[] { At(1, MemberHealth.Up), At(2, MemberHealth.Up), At(50, MemberHealth.Up) };

        var segments = HealthTimeline.Build(points, s_from, s_from.AddSeconds(100), TimeSpan.FromSeconds(1));

        Assert.Equal(2, segments.Count);
    }

    [Fact]
    public void Build_NoPoints_NoSegments() =>
        Assert.Empty(HealthTimeline.Build([], s_from, s_from.AddMinutes(1), TimeSpan.FromSeconds(1)));
}
