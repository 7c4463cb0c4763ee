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
/// The rollup job's passes on a real database, with a clock the test moves and the job's own timer stopped: which
/// buckets a pass recomputes (only those its batches touched, never older than raw retention) and that a failed
/// pass loses nothing (issue 10, High 6).
/// </summary>
public abstract class RollupPassTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override bool UseManualClock => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Fleet:Retention:MinuteRollups"] = "2.00:00:00" };

    [Fact]
    public async Task RunOnce_AfterAFailedPass_RollsUpTheBatchesThatPassMissed()
    {
        var rollup = await StoppedRollupAsync();
        var (link, host) = await CreateLinkAsync("bond0");
        var start = Minute(Clock.GetUtcNow().UtcDateTime.AddMinutes(-3));
        await StoreBatchAsync(host, 1, Samples(link, start, count: 30, txBytes: 100));
        Clock.Advance(TimeSpan.FromMinutes(5));

        // The pass fails half-way (its hour statement has no table to write to).
        await RenameAsync("samples_1h", "samples_1h_away");
        await Assert.ThrowsAnyAsync<Exception>(() => rollup.RunOnceAsync(Cancel));
        await RenameAsync("samples_1h_away", "samples_1h");

        Clock.Advance(TimeSpan.FromMinutes(5));
        await rollup.RunOnceAsync(Cancel);

        await using var db = Database.CreateContext();
        Assert.Equal(30, (await db.SampleMinutes.SingleAsync(m => m.LinkId == link, Cancel)).SampleCount);
        Assert.Equal(30, (await db.SampleHours.SingleAsync(h => h.LinkId == link, Cancel)).SampleCount);
    }

    [Fact]
    public async Task RunOnce_AnAncientSample_LeavesBucketsOutsideRetentionAlone()
    {
        var rollup = await StoppedRollupAsync();
        var (link, host) = await CreateLinkAsync("bond0");
        var now = Clock.GetUtcNow().UtcDateTime;

        // An hour rollup 2 days old, complete (60 samples), whose first minutes the 2-day minute retention has
        // already deleted: recomputing it from what is left would halve it.
        var cutoff = now - TimeSpan.FromDays(2);
        var hour = Hour(cutoff);
        await using (var db = Database.CreateContext())
        {
            db.SampleHours.Add(Fill(new SampleHourEntity { Member = "eth1" }, link, hour, count: 60, txBytes: 6000));
            for (var minute = Minute(cutoff).AddMinutes(1); minute < hour.AddHours(1); minute = minute.AddMinutes(1))
            {
                db.SampleMinutes.Add(Fill(new SampleMinuteEntity { Member = "eth1" }, link, minute, count: 1, txBytes: 100));
            }

            await db.SaveChangesAsync(Cancel);
        }

        // One batch carries a sample dated 2000-01-01 (a host with a broken clock) besides current ones.
        List<SampleEntity> batch = [.. Samples(link, new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), count: 1, txBytes: 1), .. Samples(link, Minute(now.AddMinutes(-2)), count: 10, txBytes: 100)];
        await StoreBatchAsync(host, 1, batch);
        await rollup.RunOnceAsync(Cancel);

        await using var check = Database.CreateContext();
        var kept = await check.SampleHours.SingleAsync(h => h.LinkId == link && h.BucketStart == hour, Cancel);
        Assert.Equal(60, kept.SampleCount);
        Assert.Equal(6000, kept.TxBytes);
        Assert.False(await check.SampleMinutes.AnyAsync(m => m.BucketStart < now.AddDays(-3), Cancel), "a bucket of 2000 was rolled up");
        Assert.Equal(10, (await check.SampleMinutes.SingleAsync(m => m.LinkId == link && m.BucketStart == Minute(now.AddMinutes(-2)), Cancel)).SampleCount);
    }

    [Fact]
    public async Task RunOnce_ABacklogOfOneHost_DoesNotRewriteAnotherHostsOlderBuckets()
    {
        var rollup = await StoppedRollupAsync();
        var (steadyLink, steadyHost) = await CreateLinkAsync("bond0");
        var (replayLink, replayHost) = await CreateLinkAsync("bond1");
        var now = Clock.GetUtcNow().UtcDateTime;
        var backlogStart = Minute(now.AddHours(-3));

        // The steady host's last three hours but the current half hour are rolled up (in two passes: a pass re-reads
        // the batches of the minute before its predecessor); later the other host replays three hours up to now.
        // Current minutes are recomputed for every link in each pass; older ones only for the host that sent them.
        await StoreBatchAsync(steadyHost, 1, Samples(steadyLink, backlogStart, count: 150, txBytes: 100, step: TimeSpan.FromMinutes(1)));
        await rollup.RunOnceAsync(Cancel);
        Clock.Advance(TimeSpan.FromMinutes(5));
        await rollup.RunOnceAsync(Cancel);
        var before = await MinuteRowsAsync(steadyLink);
        Clock.Advance(TimeSpan.FromMinutes(5));
        await StoreBatchAsync(replayHost, 1, Samples(replayLink, backlogStart, count: 180, txBytes: 100, step: TimeSpan.FromMinutes(1)));

        await rollup.RunOnceAsync(Cancel);

        Assert.Equal(before, await MinuteRowsAsync(steadyLink));
        await using var db = Database.CreateContext();
        Assert.Equal(180, await db.SampleMinutes.CountAsync(m => m.LinkId == replayLink, Cancel));
    }

    /// <summary>
    /// The steady link's minute rows; on PostgreSQL with each row version's <c>xmin</c>, which an upsert changes
    /// even when it writes the same values, so a pass that needlessly recomputed them shows.
    /// </summary>
    private async Task<string> MinuteRowsAsync(Guid link)
    {
        await using var db = Database.CreateContext();
        var rows = Provider == DatabaseProvider.Postgres
            ? await db.Database.SqlQuery<string>($"SELECT xmin::text || ' ' || member || ' ' || CAST(sample_count AS TEXT) AS \"Value\" FROM samples_1m WHERE link_id = {link} ORDER BY bucket_start, member").ToListAsync(Cancel)
            : await db.Database.SqlQuery<string>($"SELECT member || ' ' || CAST(sample_count AS TEXT) AS \"Value\" FROM samples_1m WHERE link_id = {link} ORDER BY bucket_start, member").ToListAsync(Cancel);
        Assert.NotEmpty(rows);
        return string.Join('\n', rows);
    }

    private async Task<SampleRollupService> StoppedRollupAsync()
    {
        var rollup = Api.Services.GetRequiredService<SampleRollupService>();
        await rollup.StopAsync(Cancel);
        return rollup;
    }

    private async Task RenameAsync(string from, string to)
    {
        await using var db = Database.CreateContext();
        // Table names cannot be parameters; both come from this class.
#pragma warning disable EF1002
        await db.Database.ExecuteSqlRawAsync($"ALTER TABLE {from} RENAME TO {to}", Cancel);
#pragma warning restore EF1002
    }

    private async Task<(Guid Link, Guid Host)> CreateLinkAsync(string name)
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "host-" + name);
        using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond(name) }, FleetJson.Options, Cancel);
        return ((await ReadAsync<LinkDto>(response)).Id, host.HostId);
    }

    /// <summary>What the hub does per batch: samples and the batch record in one transaction, received now.</summary>
    private async Task StoreBatchAsync(Guid host, long sequence, List<SampleEntity> samples)
    {
        await using var db = Database.CreateContext();
        db.Samples.AddRange(samples);
        db.IngestedBatches.Add(new IngestedBatchEntity
        {
            HostId = host,
            Sequence = sequence,
            ReceivedAt = Clock.GetUtcNow().UtcDateTime,
            SampleCount = samples.Count,
            FirstSampleAt = samples.Min(s => s.Time),
            LastSampleAt = samples.Max(s => s.Time),
        });
        await db.SaveChangesAsync(Cancel);
    }

    private static List<SampleEntity> Samples(Guid link, DateTime start, int count, long txBytes, TimeSpan? step = null) =>
        [.. Enumerable.Range(0, count).Select(i => new SampleEntity
        {
            LinkId = link,
            Member = "eth1",
            Time = start + (i * (step ?? TimeSpan.FromSeconds(2))),
            IntervalMs = 1000,
            TxBytes = txBytes,
            Health = MemberHealth.Up,
        })];

    private static T Fill<T>(T row, Guid link, DateTime bucket, int count, long txBytes)
        where T : SampleRollupEntity
    {
        row.LinkId = link;
        row.BucketStart = bucket;
        row.SampleCount = count;
        row.IntervalMsSum = count * 1000L;
        row.TxBytes = txBytes;
        row.HealthWorst = MemberHealth.Up;
        return row;
    }

    private static DateTime Minute(DateTime value) => new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);

    private static DateTime Hour(DateTime value) => new(value.Ticks - (value.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc);
}

public sealed class SqliteRollupPassTests(PostgresFixture postgres) : RollupPassTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresRollupPassTests(PostgresFixture postgres) : RollupPassTests(DatabaseProvider.Postgres, postgres);
