using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Samples;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Samples;

/// <summary>
/// Samples written the way the agent hub writes them (rows plus their batch record), rolled up by the Api's rollup
/// job, and read back through REST at every resolution; late batches, idempotence and retention.
/// </summary>
public abstract class SamplesApiTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Fleet:Limits:MaxSamplePoints"] = "250" };

    [Fact]
    public async Task Rollups_MatchTheRawSamples_AtMinuteAndHour()
    {
        var (link, host) = await CreateLinkAsync();
        var start = Floor(DateTime.UtcNow.AddHours(-2), TimeSpan.FromHours(1)).AddMinutes(58).AddSeconds(30);
        var samples = MakeSamples(link, start, count: 150);
        await StoreBatchAsync(host, 1, samples);

        await Rollup().RunOnceAsync(Cancel);

        using var viewer = Client();
        var minutes = await GetAsync(viewer, $"api/v1/links/{link}/samples?resolution=1m&from={Iso(start.AddHours(-1))}&to={Iso(start.AddHours(1))}");
        var hours = await GetAsync(viewer, $"api/v1/links/{link}/samples?resolution=1h&from={Iso(start.AddHours(-1))}&to={Iso(start.AddHours(1))}");
        AssertMatches(samples, minutes, TimeSpan.FromMinutes(1), expectedBuckets: 3);
        AssertMatches(samples, hours, TimeSpan.FromHours(1), expectedBuckets: 2);

        // Running again changes nothing.
        var before = await Database.SnapshotAsync();
        await SampleRollupService.RollupAsync(Database.CreateContext(), start.AddMinutes(-5), start.AddMinutes(5), Cancel);
        Assert.Equal(before, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task Raw_PerMemberAndPerLink_ReturnEverySampleInRange()
    {
        var (link, host) = await CreateLinkAsync();
        var start = DateTime.UtcNow.AddMinutes(-30);
        var samples = MakeSamples(link, start, count: 60);
        await StoreBatchAsync(host, 1, samples);
        using var viewer = Client();

        var perLink = await GetAsync(viewer, $"api/v1/links/{link}/samples?from={Iso(start.AddSeconds(-1))}&to={Iso(start.AddMinutes(2))}");
        var perMember = await GetAsync(viewer, $"api/v1/links/{link}/members/eth2/samples?from={Iso(start.AddSeconds(-1))}&to={Iso(start.AddMinutes(2))}");
        var filtered = await GetAsync(viewer, $"api/v1/links/{link}/samples?member=eth1&from={Iso(start.AddSeconds(10))}&to={Iso(start.AddSeconds(20))}");

        Assert.Equal(["eth1", "eth2"], perLink.Series.Select(s => s.Member));
        Assert.All(perLink.Series, s => Assert.Equal(60, s.Points.Count));
        var eth2 = Assert.Single(perMember.Series);
        Assert.Equal(samples.Where(s => s.Member == "eth2").Select(s => s.TxBytes), eth2.Points.Select(p => p.TxBytes));
        Assert.Equal(samples.Where(s => s.Member == "eth2").Select(s => UtcDateTimeConverter.ToStore(s.Time)), eth2.Points.Select(p => p.Time.UtcDateTime));
        Assert.Equal(10, Assert.Single(filtered.Series).Points.Count);
    }

    [Fact]
    public async Task Raw_MoreThanTheLimit_Returns400SuggestingACoarserResolution()
    {
        var (link, host) = await CreateLinkAsync();
        var start = DateTime.UtcNow.AddMinutes(-30);
        await StoreBatchAsync(host, 1, MakeSamples(link, start, count: 150));
        using var viewer = Client();

        using var response = await viewer.GetAsync(new Uri($"api/v1/links/{link}/samples?from={Iso(start.AddSeconds(-1))}&to={Iso(start.AddMinutes(5))}", UriKind.Relative), Cancel);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("coarser resolution", problem.GetProperty("errors").GetProperty("resolution")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LateBatch_ForAnAlreadyRolledUpMinute_UpdatesThatBucket()
    {
        var (link, host) = await CreateLinkAsync();
        var start = Floor(DateTime.UtcNow.AddMinutes(-20), TimeSpan.FromMinutes(1));
        var first = MakeSamples(link, start, count: 30);
        await StoreBatchAsync(host, 1, first);
        await Rollup().RunOnceAsync(Cancel);

        var late = MakeSamples(link, start.AddSeconds(30), count: 10);
        await StoreBatchAsync(host, 2, late);
        await Rollup().RunOnceAsync(Cancel);

        using var viewer = Client();
        var minutes = await GetAsync(viewer, $"api/v1/links/{link}/samples?resolution=1m&from={Iso(start)}&to={Iso(start.AddMinutes(1))}");
        AssertMatches([.. first, .. late], minutes, TimeSpan.FromMinutes(1), expectedBuckets: 1);
    }

    [Fact]
    public async Task Retention_DeletesRawSamplesOlderThanConfigured()
    {
        var (link, host) = await CreateLinkAsync();
        var now = DateTime.UtcNow;
        await StoreBatchAsync(host, 1, MakeSamples(link, now.AddHours(-30), count: 5));
        await StoreBatchAsync(host, 2, MakeSamples(link, now.AddMinutes(-5), count: 5));

        await Rollup().ApplyRetentionAsync(Cancel);

        await using var db = Database.CreateContext();
        var remaining = await db.Samples.Select(s => s.Time).ToListAsync(Cancel);
        Assert.Equal(10, remaining.Count);
        Assert.All(remaining, t => Assert.True(t > now.AddHours(-1)));
    }

    [Fact]
    public async Task UnknownLink_Returns404()
    {
        using var viewer = Client();
        using var response = await viewer.GetAsync(new Uri($"api/v1/links/{Guid.CreateVersion7()}/samples", UriKind.Relative), Cancel);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
    }

    private SampleRollupService Rollup() => Api.Services.GetRequiredService<SampleRollupService>();

    private async Task<(Guid Link, Guid Host)> CreateLinkAsync()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin);
        using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond() }, FleetJson.Options, Cancel);
        return ((await ReadAsync<LinkDto>(response)).Id, host.HostId);
    }

    /// <summary>What the hub does per batch: samples and the batch record in one transaction.</summary>
    private async Task StoreBatchAsync(Guid host, long sequence, List<SampleEntity> samples)
    {
        await using var db = Database.CreateContext();
        db.Samples.AddRange(samples);
        db.IngestedBatches.Add(new IngestedBatchEntity
        {
            HostId = host,
            Sequence = sequence,
            ReceivedAt = DateTime.UtcNow,
            SampleCount = samples.Count,
            FirstSampleAt = samples.Min(s => s.Time),
            LastSampleAt = samples.Max(s => s.Time),
        });
        await db.SaveChangesAsync(Cancel);
    }

    private static List<SampleEntity> MakeSamples(Guid link, DateTime start, int count)
    {
        var samples = new List<SampleEntity>();
        for (var i = 0; i < count; i++)
        {
            foreach (var member in new[] { "eth1", "eth2" })
            {
                samples.Add(new SampleEntity
                {
                    LinkId = link,
                    Member = member,
                    Time = start.AddSeconds(i),
                    IntervalMs = 1000,
                    TxBytes = 1000 + i,
                    RxBytes = 2 * i,
                    TxPackets = 10,
                    RxPackets = 20,
                    TxDrops = i % 3,
                    RxDrops = i % 4,
                    Errors = i == 7 ? 1 : 0,
                    ReorderDepth = i % 5,
                    ReorderDepthMax = i % 7,
                    RttMs = i % 2 == 0 ? 10 + i : null,
                    LossPercent = member == "eth1" ? 0.5 : null,
                    Health = member == "eth1" && i == 40 ? MemberHealth.Down : MemberHealth.Up,
                });
            }
        }

        return samples;
    }

    private static void AssertMatches(IReadOnlyList<SampleEntity> samples, SamplesDto result, TimeSpan bucket, int expectedBuckets)
    {
        var expected = samples
            .GroupBy(s => (s.Member, Bucket: Floor(s.Time, bucket)))
            .OrderBy(g => g.Key.Member, StringComparer.Ordinal).ThenBy(g => g.Key.Bucket)
            .ToList();
        var actual = result.Series.SelectMany(s => s.Points.Select(p => (s.Member, Point: p))).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expectedBuckets * 2, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var group = expected[i];
            var (member, point) = actual[i];
            var rtts = group.Where(s => s.RttMs is not null).Select(s => s.RttMs!.Value).ToList();
            var losses = group.Where(s => s.LossPercent is not null).Select(s => s.LossPercent!.Value).ToList();
            Assert.Equal(group.Key.Member, member);
            Assert.Equal(group.Key.Bucket, point.Time.UtcDateTime);
            Assert.Equal(group.Count(), point.SampleCount);
            Assert.Equal(group.Sum(s => (long)s.IntervalMs), point.IntervalMs);
            Assert.Equal(group.Sum(s => s.TxBytes), point.TxBytes);
            Assert.Equal(group.Sum(s => s.RxBytes), point.RxBytes);
            Assert.Equal(group.Sum(s => s.TxPackets), point.TxPackets);
            Assert.Equal(group.Sum(s => s.RxDrops), point.RxDrops);
            Assert.Equal(group.Sum(s => s.Errors), point.Errors);
            Assert.Equal(group.Max(s => s.ReorderDepthMax), point.ReorderDepthMax);
            Assert.Equal(group.Average(s => s.ReorderDepth), point.ReorderDepth, 9);
            Assert.Equal(rtts.Count == 0 ? null : rtts.Average(), point.RttMs);
            Assert.Equal(rtts.Count == 0 ? null : rtts.Max(), point.RttMsMax);
            Assert.Equal(losses.Count == 0 ? null : losses.Average(), point.LossPercent);
            Assert.Equal(group.Max(s => s.Health), point.Health);
        }
    }

    private static async Task<SamplesDto> GetAsync(HttpClient client, string uri)
    {
        using var response = await client.GetAsync(new Uri(uri, UriKind.Relative), Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
        return (await response.Content.ReadFromJsonAsync<SamplesDto>(FleetJson.Options, Cancel))!;
    }

    private static string Iso(DateTime time) => Uri.EscapeDataString(time.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    private static DateTime Floor(DateTime value, TimeSpan bucket) => new(value.Ticks - (value.Ticks % bucket.Ticks), DateTimeKind.Utc);
}

public sealed class SqliteSamplesApiTests(PostgresFixture postgres) : SamplesApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresSamplesApiTests(PostgresFixture postgres) : SamplesApiTests(DatabaseProvider.Postgres, postgres);
