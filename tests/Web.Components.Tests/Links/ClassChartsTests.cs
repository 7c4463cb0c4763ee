using Bunit;
using Fleet.Web.Formatting;
using Fleet.Web.Links;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Web.Components.Tests.Links;

/// <summary>
/// A striper link's traffic class charts (issue 13): one card per class with its action and three plots (throughput,
/// overhead, loss after FEC), their latest values, and the span they cover, at most an hour whatever the page's range.
/// </summary>
public sealed class ClassChartsTests : BunitContext
{
    private static readonly Guid s_linkId = Guid.Parse("0c5e8f4e-3c55-4a8b-9a57-4d2b1f6e7a11");
    private static readonly DateTimeOffset s_now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private readonly RecordingQuery _query = new();

    public ClassChartsTests()
    {
        Services.AddSingleton<ILinkClassSeriesQuery>(_query);
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(s_now));
    }

    [Fact]
    public void Render_TwoClasses_OneCardEachWithItsPlotsAndLatestValues()
    {
        _query.Series =
        [
            new ClassSeries("default", "default", [Point(-2, 8e6, 0, 0), Point(-1, 9e6, 0, 0)]),
            new ClassSeries("voice", "fec", [Point(-2, 256_000, 12.5, 0), Point(-1, 256_000, 13.3, 2)]),
        ];

        var charts = Render<ClassCharts>(p => p.Add(x => x.LinkId, s_linkId).Add(x => x.Range, ChartRange.Live));

        Assert.Equal(["default", "voice"], charts.FindAll("article.class-chart").Select(a => a.GetAttribute("data-class")));
        var voice = charts.Find("article[data-class=voice]");
        Assert.Equal("fec", voice.QuerySelector("[data-testid=class-action]")!.TextContent);
        Assert.Equal(["class-throughput", "class-overhead", "class-fec"], voice.QuerySelectorAll("figure.plot").Select(f => f.GetAttribute("data-metric")));
        Assert.Equal("13.3 %", voice.QuerySelector("[data-value-of=overhead]")!.TextContent.Trim());
        Assert.Equal("lost 2 /s", voice.QuerySelector("figure[data-metric=class-fec] [data-value-of=tx]")!.TextContent.Trim());
        Assert.StartsWith("M", voice.QuerySelector("figure[data-metric=class-overhead] path")!.GetAttribute("d"), StringComparison.Ordinal);
        Assert.Equal(s_now - TimeSpan.FromMinutes(15), _query.From);
    }

    [Fact]
    public void Render_WeekRange_ReadsTheLastHourOnlyAndSaysSo()
    {
        var charts = Render<ClassCharts>(p => p.Add(x => x.LinkId, s_linkId).Add(x => x.Range, ChartRange.Week));

        Assert.Equal(s_now - TimeSpan.FromHours(1), _query.From);
        Assert.Contains("the last hour at most", charts.Find(".note").TextContent, StringComparison.Ordinal);
        Assert.Equal("No class samples in this range yet.", charts.Find(".empty").TextContent);
    }

    private static ClassSeriesPoint Point(int minutes, double tx, double overhead, double lost) =>
        new(s_now.AddMinutes(minutes), tx, tx, overhead, lost, 0);

    private sealed class RecordingQuery : ILinkClassSeriesQuery
    {
        public IReadOnlyList<ClassSeries> Series { get; set; } = [];

        public DateTimeOffset? From { get; private set; }

        public Task<IReadOnlyList<ClassSeries>> GetClassSeriesAsync(Guid linkId, DateTimeOffset from, CancellationToken cancellationToken)
        {
            From = from;
            return Task.FromResult(Series);
        }
    }
}
