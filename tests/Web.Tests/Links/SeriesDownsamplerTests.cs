using Fleet.Contracts.Links;
using Fleet.Web.Links;

namespace Fleet.Web.Tests.Links;

public sealed class SeriesDownsamplerTests
{
    private static readonly DateTimeOffset s_start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static SeriesPoint Point(int second, double tx = 1000, double reorder = 0, double? loss = null, MemberHealth health = MemberHealth.Up) =>
        new(s_start.AddSeconds(second), tx, tx / 2, 0, reorder, 10, loss, health);

    [Fact]
    public void Downsample_FewPoints_ReturnsThemUnchanged()
    {
        var points = Enumerable.Range(0, 10).Select(i => Point(i)).ToList();

        Assert.Same(points, SeriesDownsampler.Downsample(points, 10));
    }

    [Fact]
    public void Downsample_ManyPoints_CapsTheCount()
    {
        var points = Enumerable.Range(0, 1440).Select(i => Point(i)).ToList();

        var result = SeriesDownsampler.Downsample(points, 900);

        Assert.True(result.Count <= 900, $"{result.Count} points");
        Assert.Equal(points[^1].Time, result[^1].Time);
    }

    [Fact]
    public void Downsample_ShortOutageInABucket_KeepsTheWorstHealthDepthAndLoss()
    {
        var points = Enumerable.Range(0, 100).Select(i => i == 41
            ? Point(i, reorder: 64, loss: 30, health: MemberHealth.Down)
            : Point(i)).ToList();

        var result = SeriesDownsampler.Downsample(points, 10);

        var bucket = Assert.Single(result, p => p.Health == MemberHealth.Down);
        Assert.Equal(64, bucket.ReorderDepth);
        Assert.Equal(30, bucket.LossPercent);
    }

    [Fact]
    public void Downsample_Rates_AreAveraged()
    {
        var points = new[] { Point(0, tx: 100), Point(1, tx: 300) };

        var result = SeriesDownsampler.Downsample(points, 1);

        Assert.Equal(200, Assert.Single(result).TxBitsPerSecond);
    }
}
