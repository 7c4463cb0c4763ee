using Fleet.Api.Dashboard;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Links;
using Fleet.Testing;
using Fleet.Web.Overview;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Dashboard;

/// <summary>
/// Issue 19, the overview's sparkline and health strip: each link's last 15 whole minutes from the 1-minute rollups,
/// throughput summed over its members and health read from their worst moments, on a real database.
/// </summary>
public abstract class LinkTrendQueryTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override bool UseManualClock => true;

    [Fact]
    public async Task Trends_RollupsOfTwoLinks_ThroughputAndHealthPerMinuteSlot()
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        var minute = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        var busy = Guid.NewGuid();
        var quiet = Guid.NewGuid();
        var elsewhere = Guid.NewGuid();
        await using (var db = Database.CreateContext())
        {
            // busy: two members 3 minutes ago (one down for a moment), one member 1 minute ago, lossy.
            db.SampleMinutes.AddRange(
                Rollup(busy, "eth1", minute.AddMinutes(-3), bytes: 7_500_000, MemberHealth.Up),
                Rollup(busy, "eth2", minute.AddMinutes(-3), bytes: 3_750_000, MemberHealth.Down),
                Rollup(busy, "eth1", minute.AddMinutes(-1), bytes: 750_000, MemberHealth.Up, lossMax: 2.5),

                // quiet: every member down 2 minutes ago, and nothing in the minute under way or before the window.
                Rollup(quiet, "eth1", minute.AddMinutes(-2), bytes: 0, MemberHealth.Down),
                Rollup(quiet, "eth1", minute, bytes: 1_000, MemberHealth.Up),
                Rollup(quiet, "eth1", minute.AddMinutes(-16), bytes: 1_000, MemberHealth.Up),
                Rollup(elsewhere, "eth1", minute.AddMinutes(-2), bytes: 1_000, MemberHealth.Up));
            await db.SaveChangesAsync(Cancel);
        }

        await using var scope = Api.Services.CreateAsyncScope();
        var trends = await scope.ServiceProvider.GetRequiredService<LinkTrendQuery>().TrendsAsync([busy, quiet], Cancel);

        Assert.Equal(new[] { busy, quiet }.Order(), trends.Keys.Order());
        var trend = trends[busy];
        Assert.Equal(new DateTimeOffset(minute.AddMinutes(-15), TimeSpan.Zero), trend.From);
        Assert.Equal(LinkTrend.Minutes, trend.ThroughputBitsPerSecond.Count);

        // 60 s per member: (7.5 MB + 3.75 MB) × 8 / 60 s = 1.5 Mbit/s; then 0.1 Mbit/s.
        Assert.Equal(1_500_000, trend.ThroughputBitsPerSecond[12]!.Value, 3);
        Assert.Equal(100_000, trend.ThroughputBitsPerSecond[14]!.Value, 3);
        Assert.Null(trend.ThroughputBitsPerSecond[13]);
        Assert.Equal((LinkHealth.Degraded, LinkHealth.Unknown, LinkHealth.Degraded), (trend.Health[12], trend.Health[13], trend.Health[14]));
        Assert.Equal([LinkHealth.Down], trends[quiet].Health.Where(h => h != LinkHealth.Unknown));
        Assert.Equal(1, trends[quiet].ThroughputBitsPerSecond.Count(v => v is not null));
    }

    [Theory]
    [InlineData(0, 0, 0, LinkHealth.Unknown)]
    [InlineData(2, 0, 2, LinkHealth.Down)]
    [InlineData(2, 2, 1, LinkHealth.Degraded)]
    [InlineData(2, 2, 0, LinkHealth.Healthy)]
    public void MinuteHealth_AsTheLinkRuleReadsMembers(int known, int carrying, int impaired, LinkHealth expected) =>
        Assert.Equal(expected, LinkTrendQuery.MinuteHealth(known, carrying, impaired));

    private static SampleMinuteEntity Rollup(Guid link, string member, DateTime bucket, long bytes, MemberHealth health, double? lossMax = null) => new()
    {
        LinkId = link,
        Member = member,
        BucketStart = bucket,
        SampleCount = 60,
        IntervalMsSum = 60_000,
        TxBytes = bytes,
        RxBytes = 0,
        HealthWorst = health,
        LossPercentMax = lossMax,
        LossCount = lossMax is null ? 0 : 60,
        LossPercentSum = (lossMax ?? 0) * 60,
    };
}

public sealed class SqliteLinkTrendQueryTests(PostgresFixture postgres) : LinkTrendQueryTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresLinkTrendQueryTests(PostgresFixture postgres) : LinkTrendQueryTests(DatabaseProvider.Postgres, postgres);
