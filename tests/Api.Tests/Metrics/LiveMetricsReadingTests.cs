using System.Diagnostics.Metrics;
using Fleet.Api.Metrics;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Metrics;

/// <summary>What the Api hears (samples, states, queue depths) → what it publishes, measurement by measurement.</summary>
public sealed class LiveMetricsReadingTests
{
    private static readonly Guid s_host = Guid.CreateVersion7();
    private static readonly Guid s_link = Guid.CreateVersion7();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
    private readonly LiveCounters _counters;
    private readonly CatalogSnapshot _catalog;

    public LiveMetricsReadingTests()
    {
        _counters = new LiveCounters(_clock, Options.Create(new MetricsOptions { Enabled = true }));
        _catalog = CatalogSnapshot.Build(
            new MetricsOptions { Enabled = true },
            _clock.GetUtcNow(),
            [new CatalogHostRow(s_host, "edge-1", [KeyValuePair.Create("site", "ams"), KeyValuePair.Create("env", "prod")])],
            [new CatalogLinkRow(s_link, s_host, "bond0", LinkKind.Bond, LinkPhase.Applied, [("eth1", MemberAdminState.Active), ("eth2", MemberAdminState.Active)])]);
    }

    [Fact]
    public void Take_FreshSample_PublishesRatesInBitsPerSecondAndRttInSeconds()
    {
        _counters.Record([Sample("eth1", txBytes: 1_250_000, rxBytes: 250_000, intervalMs: 2_000, rttMs: 12.5, loss: 0.4, reorder: 3, reorderMax: 7)]);

        var reading = LiveMetricsReading.Take(_catalog, _counters, _clock.GetUtcNow());

        Assert.Equal(5_000_000, Value(reading.MemberThroughput, "eth1", "tx"));
        Assert.Equal(1_000_000, Value(reading.MemberThroughput, "eth1", "rx"));
        Assert.Equal(0.0125, Value(reading.MemberRtt, "eth1"), 6);
        Assert.Equal(0.4, Value(reading.MemberLoss, "eth1"));
        Assert.Equal(7, Value(reading.MemberReorder, "eth1"));
        Assert.Equal(1, Value(reading.MemberHealth, "eth1"));
        Assert.Equal(5_000_000, Value(reading.LinkThroughput, null, "tx"));
    }

    [Fact]
    public void Take_EveryMemberSeries_CarriesHostLinkKindMemberAndSortedLabels()
    {
        _counters.Record([Sample("eth1")]);

        var reading = LiveMetricsReading.Take(_catalog, _counters, _clock.GetUtcNow());

        var tags = Tags(reading.MemberThroughput.First());
        Assert.Equal("edge-1", tags[MetricTags.Host]);
        Assert.Equal("bond0", tags[MetricTags.Link]);
        Assert.Equal("bond", tags[MetricTags.Kind]);
        Assert.Equal("eth1", tags[MetricTags.Member]);
        Assert.Equal("env=prod,site=ams", tags[MetricTags.Labels]);
        Assert.Equal("tx", tags[MetricTags.Direction]);
    }

    [Fact]
    public void Take_SilentMember_HasNoRatesAndUnknownHealthButKeepsItsTotals()
    {
        _counters.Record([Sample("eth1", txBytes: 1000, txDrops: 4)]);
        _clock.Advance(TimeSpan.FromSeconds(16));

        var reading = LiveMetricsReading.Take(_catalog, _counters, _clock.GetUtcNow());

        Assert.Empty(reading.MemberThroughput);
        Assert.Empty(reading.MemberRtt);
        Assert.Empty(reading.LinkThroughput);
        Assert.Equal(-1, Value(reading.MemberHealth, "eth1"));
        Assert.Equal(-1, Value(reading.MemberHealth, "eth2"));
        Assert.Equal(-1, Assert.Single(reading.LinkHealth).Value);
        Assert.Equal(1000, Value(reading.MemberTraffic, "eth1", "tx"));
        Assert.Equal(4, Value(reading.MemberDrops, "eth1", "tx"));
    }

    [Fact]
    public void Take_SamplesOverTime_TotalsAreTheSumOfTheDeltas()
    {
        _counters.Record([Sample("eth1", txBytes: 100, rxDrops: 1)]);
        _clock.Advance(TimeSpan.FromSeconds(1));
        _counters.Record([Sample("eth1", txBytes: 250, rxDrops: 2)]);

        var reading = LiveMetricsReading.Take(_catalog, _counters, _clock.GetUtcNow());

        Assert.Equal(350, Value(reading.MemberTraffic, "eth1", "tx"));
        Assert.Equal(3, Value(reading.MemberDrops, "eth1", "rx"));

        // The rate is the latest interval's, not the total's.
        Assert.Equal(2_000, Value(reading.MemberThroughput, "eth1", "tx"));
    }

    [Fact]
    public void Take_LateResend_CountsInTotalsButDoesNotBecomeTheLatest()
    {
        _counters.Record([Sample("eth1", txBytes: 500)]);
        _counters.Record([Sample("eth1", txBytes: 100) with { Time = _clock.GetUtcNow() - TimeSpan.FromSeconds(5) }]);

        var reading = LiveMetricsReading.Take(_catalog, _counters, _clock.GetUtcNow());

        Assert.Equal(4_000, Value(reading.MemberThroughput, "eth1", "tx"));
        Assert.Equal(600, Value(reading.MemberTraffic, "eth1", "tx"));
    }

    [Theory]
    [InlineData(MemberHealth.Up, MemberHealth.Up, 1, 1)]
    [InlineData(MemberHealth.Up, MemberHealth.Down, 0, 0.5)]
    [InlineData(MemberHealth.Degraded, MemberHealth.Up, 1, 0.5)]
    [InlineData(MemberHealth.Down, MemberHealth.Down, 0, 0)]
    public void Take_Health_IsANumberForMembersAndTheLinkRule(MemberHealth first, MemberHealth second, double secondValue, double linkValue)
    {
        _counters.Record([Sample("eth1", health: first), Sample("eth2", health: second)]);

        var reading = LiveMetricsReading.Take(_catalog, _counters, _clock.GetUtcNow());

        Assert.Equal(secondValue, Value(reading.MemberHealth, "eth2"));
        Assert.Equal(linkValue, Assert.Single(reading.LinkHealth).Value);
    }

    [Fact]
    public void Take_PhaseReportedAfterTheCatalogWasRead_WinsOverTheCatalogs()
    {
        var before = LiveMetricsReading.Take(_catalog, _counters, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(1));
        _counters.SetPhase(s_link, LinkPhase.RolledBack);

        var after = LiveMetricsReading.Take(_catalog, _counters, _clock.GetUtcNow());

        Assert.Equal("applied", Tags(Assert.Single(before.LinkPhase))[MetricTags.Phase]);
        var phase = Assert.Single(after.LinkPhase);
        Assert.Equal(1, phase.Value);
        Assert.Equal("rolled_back", Tags(phase)[MetricTags.Phase]);
    }

    [Fact]
    public void Take_QueueDepth_PublishedWhileFresh()
    {
        _counters.SetQueueDepth(s_host, 42);

        var fresh = LiveMetricsReading.Take(_catalog, _counters, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(16));
        var stale = LiveMetricsReading.Take(_catalog, _counters, _clock.GetUtcNow());

        var queued = Assert.Single(fresh.HostQueue);
        Assert.Equal(42, queued.Value);
        Assert.Equal("edge-1", Tags(queued)[MetricTags.Host]);
        Assert.Empty(stale.HostQueue);
    }

    [Fact]
    public void Record_MetricsDisabled_KeepsNothing()
    {
        var counters = new LiveCounters(_clock, Options.Create(new MetricsOptions { Enabled = false }));

        counters.Record([Sample("eth1")]);
        counters.SetQueueDepth(s_host, 3);
        counters.SetPhase(s_link, LinkPhase.Failed);

        Assert.Null(counters.Member(s_link, "eth1"));
        Assert.Null(counters.QueueDepth(s_host, DateTimeOffset.MinValue));
        Assert.Null(counters.PhaseSince(s_link, DateTimeOffset.MinValue));
    }

    [Fact]
    public void Retain_ForgetsLinksAndHostsThatAreGone()
    {
        _counters.Record([Sample("eth1")]);
        _counters.SetQueueDepth(s_host, 1);

        _counters.Retain(new HashSet<Guid>(), new HashSet<Guid>());

        Assert.Null(_counters.Member(s_link, "eth1"));
        Assert.Null(_counters.QueueDepth(s_host, DateTimeOffset.MinValue));
    }

    private MemberSample Sample(
        string member, long txBytes = 1000, long rxBytes = 1000, int intervalMs = 1000, double? rttMs = 10, double? loss = 0,
        int reorder = 0, int reorderMax = 0, long txDrops = 0, long rxDrops = 0, MemberHealth health = MemberHealth.Up) => new()
        {
            LinkId = s_link,
            Member = member,
            Time = _clock.GetUtcNow(),
            IntervalMs = intervalMs,
            TxBytes = txBytes,
            RxBytes = rxBytes,
            TxDrops = txDrops,
            RxDrops = rxDrops,
            RttMs = rttMs,
            LossPercent = loss,
            ReorderDepth = reorder,
            ReorderDepthMax = reorderMax,
            Health = health,
        };

    private static Dictionary<string, object?> Tags<T>(Measurement<T> measurement)
        where T : struct => measurement.Tags.ToArray().ToDictionary(t => t.Key, t => t.Value);

    /// <summary>The one measurement of <paramref name="member"/> (any member when null) in <paramref name="direction"/> (when given).</summary>
    private static double Value<T>(List<Measurement<T>> measurements, string? member, string? direction = null)
        where T : struct
    {
        var matching = measurements.Where(m =>
        {
            var tags = Tags(m);
            return (member is null ? !tags.ContainsKey(MetricTags.Member) : Equals(tags.GetValueOrDefault(MetricTags.Member), member))
                && (direction is null || Equals(tags.GetValueOrDefault(MetricTags.Direction), direction));
        });
        return Convert.ToDouble(Assert.Single(matching).Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
