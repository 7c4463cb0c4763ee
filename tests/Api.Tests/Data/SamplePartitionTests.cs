using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Data.Partitions;
using Fleet.Api.Samples;
using Fleet.Api.Samples.Ingest;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Data;

/// <summary>
/// PostgreSQL's time partitions of the sample tables (issue 16, migration <c>SamplePartitions</c>), on a real server
/// behind the running Api with its clock held by the test and its rollup job stopped: an existing database upgraded
/// keeps every row and serves it through the REST API; retention drops whole days and deletes nothing; a range query
/// plans only its partitions; and a sample for a day without a partition is stored (default partition) and moved into
/// its own partition by the upkeep.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed partial class SamplePartitionTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Postgres, postgres)
{
    /// <summary>The migration before <c>SamplePartitions</c>.</summary>
    private const string PreviousMigration = "20261206175201_Alerts";

    /// <summary>The migration under test.</summary>
    private const string PartitionsMigration = "20261206214712_SamplePartitions";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override bool UseManualClock => true;

    [Fact]
    public async Task Migrate_FromThePreviousMigrationWithRows_KeepsEveryRowAndServesItThroughTheApi()
    {
        await StoppedRollupAsync();
        var (link, _) = await CreateLinkAsync();
        await using (var db = Database.CreateContext())
        {
            await db.GetService<IMigrator>().MigrateAsync(PreviousMigration, Cancel);
            Assert.Equal(["r", "r", "r"], await TextAsync(db, "SELECT relkind::text FROM pg_class WHERE relname IN ('samples', 'samples_1m', 'samples_1h')"));
        }

        // Four days of raw samples up to now, a day of minutes, forty days of hours, in the old plain tables. Written
        // in SQL with the columns those tables had then: the current model has columns later migrations added.
        var now = Clock.GetUtcNow().UtcDateTime;
        now = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var start = now.AddDays(-4);
        var raw = Enumerable.Range(0, 4 * 48).Select(i => Sample(link, "eth1", start.AddMinutes(30 * i).AddTicks(10 * i), i)).ToList();
        long oldestNewId;
        await using (var db = Database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync(OldSamplesInsert(raw), Cancel);
            await db.Database.ExecuteSqlRawAsync(OldRollupsInsert("samples_1m", link, Enumerable.Range(0, 24 * 60).Select(i => now.Date.AddDays(-1).AddMinutes(i))), Cancel);
            await db.Database.ExecuteSqlRawAsync(OldRollupsInsert("samples_1h", link, Enumerable.Range(0, 40 * 24).Select(i => now.Date.AddDays(-39).AddHours(i))), Cancel);
            oldestNewId = long.Parse(Assert.Single(await TextAsync(db, "SELECT max(id)::text FROM samples")), CultureInfo.InvariantCulture);
        }

        // Up to the migration under test: later ones add columns, which would change every row's text.
        var before = await AllRowsAsync();
        await using (var db = Database.CreateContext())
        {
            await db.GetService<IMigrator>().MigrateAsync(PartitionsMigration, Cancel);
            Assert.Equal(["p", "p", "p"], await TextAsync(db, "SELECT relkind::text FROM pg_class WHERE relname IN ('samples', 'samples_1m', 'samples_1h')"));
            var partitions = await TimePartitions.PartitionsAsync(db, TimePartitionedTable.Samples, Cancel);
            Assert.Superset(raw.Select(s => TimePartitionedTable.Samples.PartitionName(s.Time.Date)).ToHashSet(), partitions.ToHashSet());
            Assert.Equal(["0", "0", "0"], await TextAsync(db, "SELECT count(*)::text FROM ONLY samples_default UNION ALL SELECT count(*)::text FROM samples_1m_default UNION ALL SELECT count(*)::text FROM samples_1h_default"));
        }

        Assert.Equal(before, await AllRowsAsync());
        await using (var db = Database.CreateContext())
        {
            await db.Database.MigrateAsync(Cancel);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(Cancel));
        }

        using var viewer = Client();
        var rawDto = await GetSamplesAsync(viewer, link, "raw", start, now.AddHours(1));
        Assert.Equal(raw.Select(s => (s.Time, s.TxBytes)), Assert.Single(rawDto.Series).Points.Select(p => (p.Time.UtcDateTime, p.TxBytes)));
        Assert.Equal(24 * 60, Assert.Single((await GetSamplesAsync(viewer, link, "1m", now.Date.AddDays(-1), now.Date)).Series).Points.Count);
        Assert.Equal(40 * 24, Assert.Single((await GetSamplesAsync(viewer, link, "1h", now.Date.AddDays(-39), now.Date.AddDays(1))).Series).Points.Count);

        // The identity continues after the old rows; the rollup job still writes its partitioned tables.
        await using var after = Database.CreateContext();
        var added = Sample(link, "eth2", now, 1);
        after.Samples.Add(added);
        await after.SaveChangesAsync(Cancel);
        Assert.True(added.Id > oldestNewId, $"new id {added.Id} reuses an old one");
        var last = raw[^1].Time;
        var minute = new DateTime(last.Ticks - (last.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        await SampleRollupService.RollupAsync(after, minute, minute.AddMinutes(1), Cancel);
        Assert.Equal(1, (await after.SampleMinutes.SingleAsync(m => m.LinkId == link && m.BucketStart == minute, Cancel)).SampleCount);
    }

    [Fact]
    public async Task ApplyRetention_DropsWholeExpiredDaysAndDeletesNoRow()
    {
        var rollup = await StoppedRollupAsync();
        var today = AdvanceTo(days: 1, hour: 12);
        var link = Guid.CreateVersion7();
        await using (var db = Database.CreateContext())
        {
            await TimePartitions.EnsureAsync(db, TimePartitionedTable.Samples, today.AddDays(-3), Cancel);
            db.Samples.AddRange(Enumerable.Range(0, (3 * 24) + 12).Select(i => Sample(link, "eth1", today.AddDays(-3).AddHours(i), i)));

            // One row for which no partition exists: the default partition takes it, and retention deletes it there.
            db.Samples.Add(Sample(link, "eth1", new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), 0));
            await db.SaveChangesAsync(Cancel);
        }

        // Raw retention is a day: the cutoff is yesterday noon.
        await rollup.ApplyRetentionAsync(Cancel);

        await using var check = Database.CreateContext();
        var partitions = await TimePartitions.PartitionsAsync(check, TimePartitionedTable.Samples, Cancel);
        Assert.DoesNotContain(Name(today.AddDays(-3)), partitions);
        Assert.DoesNotContain(Name(today.AddDays(-2)), partitions);
        Assert.Contains(Name(today.AddDays(-1)), partitions);
        Assert.Contains(Name(today), partitions);

        // Yesterday's partition stays whole, its morning (older than the cutoff) included: no row was deleted by age.
        var kept = await check.Samples.Where(s => s.LinkId == link).Select(s => s.Time).OrderBy(t => t).ToListAsync(Cancel);
        Assert.Equal(Enumerable.Range(0, 36).Select(i => today.AddDays(-1).AddHours(i)), kept);

        // Statistics: the default partition's delete shows once the retention connection's counters are flushed;
        // by then no partition of a day has a single deleted tuple.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await DeletedTuplesAsync(check, "samples_default") == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Cancel);
        }

        Assert.Equal(1, await DeletedTuplesAsync(check, "samples_default"));
        foreach (var partition in partitions.Where(p => p != "samples_default"))
        {
            Assert.Equal(0, await DeletedTuplesAsync(check, partition));
        }
    }

    [Fact]
    public async Task RangeQuery_PlansOnlyThePartitionsOfItsRange()
    {
        var today = Clock.GetUtcNow().UtcDateTime.Date;
        var link = Guid.CreateVersion7();
        await using var db = Database.CreateContext();
        await TimePartitions.EnsureAsync(db, TimePartitionedTable.Samples, today.AddDays(-1), Cancel);
        db.Samples.AddRange(Enumerable.Range(0, 3 * 144).Select(i => Sample(link, "eth1", today.AddDays(-1).AddMinutes(10 * i), i)));
        await db.SaveChangesAsync(Cancel);
        await db.Database.ExecuteSqlRawAsync("ANALYZE samples", Cancel);

        Assert.Equal([Name(today)], await PlannedPartitionsAsync(db, RawQuery(db, link, today.AddHours(10), today.AddHours(11))));
        Assert.Equal([Name(today.AddDays(-1)), Name(today)], await PlannedPartitionsAsync(db, RawQuery(db, link, today.AddHours(-2), today.AddHours(2))));

        // A week of minute rollups is one partition.
        var week = TimePartitionedTable.MinuteRollups.Start(today);
        var minutes = db.SampleMinutes.AsNoTracking().Where(s => s.LinkId == link && s.BucketStart >= week.AddHours(1) && s.BucketStart < week.AddDays(2));
        Assert.Equal([TimePartitionedTable.MinuteRollups.PartitionName(week)], await PlannedPartitionsAsync(db, minutes));
    }

    [Fact]
    public async Task Ingest_OnADayWithoutItsPartition_StoresInTheDefaultPartitionAndUpkeepMovesItIntoItsOwn()
    {
        var rollup = await StoppedRollupAsync();
        var (link, host) = await CreateLinkAsync();

        // Three days on: the migration made partitions up to the day after tomorrow, and the stopped job made none since.
        var day = AdvanceTo(days: 3, hour: 12);
        var noon = day.AddHours(12);
        await using (var db = Database.CreateContext())
        {
            Assert.DoesNotContain(Name(day), await TimePartitions.PartitionsAsync(db, TimePartitionedTable.Samples, Cancel));
        }

        var samples = Enumerable.Range(0, 10).Select(i => new MemberSample { LinkId = link, Member = "eth1", Time = noon.AddSeconds(i - 10), IntervalMs = 1000, TxBytes = 100 + i }).ToList();
        var batch = new SampleBatch { Sequence = 1, QueueId = Guid.CreateVersion7(), Samples = samples };
        var ack = await Api.Services.GetRequiredService<SampleIngestion>().SubmitAsync(host, batch, Cancel);
        Assert.Equal((1L, false, (string?)null), (ack.Sequence, ack.Duplicate, ack.Rejected));

        using var viewer = Client();
        var stored = await GetSamplesAsync(viewer, link, "raw", noon.AddMinutes(-1), noon);
        Assert.Equal(samples.Select(s => s.TxBytes), Assert.Single(stored.Series).Points.Select(p => p.TxBytes));
        await using (var db = Database.CreateContext())
        {
            Assert.Equal(["10"], await TextAsync(db, "SELECT count(*)::text FROM samples_default"));
        }

        await rollup.EnsurePartitionsAsync(Cancel);

        await using (var db = Database.CreateContext())
        {
            Assert.Contains(Name(day), await TimePartitions.PartitionsAsync(db, TimePartitionedTable.Samples, Cancel));
            Assert.Equal(["0", "10"], await TextAsync(db, $"SELECT count(*)::text FROM samples_default UNION ALL SELECT count(*)::text FROM {Name(day)}"));
        }

        var moved = await GetSamplesAsync(viewer, link, "raw", noon.AddMinutes(-1), noon);
        Assert.Equal(SeriesJson(stored), SeriesJson(moved));
    }

    private static string Name(DateTime day) => TimePartitionedTable.Samples.PartitionName(day.Date);

    /// <summary>The raw read of <c>GET /links/{id}/samples</c> (SamplesApi), for its plan.</summary>
    private static IQueryable<SampleEntity> RawQuery(FleetDbContext db, Guid link, DateTime from, DateTime to)
    {
        string? member = null;
        return db.Samples.AsNoTracking()
            .Where(s => s.LinkId == link && s.Time >= from && s.Time < to && (member == null || s.Member == member))
            .OrderBy(s => s.Member).ThenBy(s => s.Time).Take(50_001);
    }

    /// <summary>The partitions PostgreSQL's plan of <paramref name="query"/> (with EF's parameters) reads, in name order.</summary>
    private static async Task<List<string>> PlannedPartitionsAsync<T>(FleetDbContext db, IQueryable<T> query)
    {
        await using var command = query.CreateDbCommand();
        await db.Database.OpenConnectionAsync(Cancel);
        command.CommandText = "EXPLAIN " + command.CommandText;
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Cancel))
        {
            while (await reader.ReadAsync(Cancel))
            {
                plan.Add(reader.GetString(0));
            }
        }

        var text = string.Join('\n', plan);
        Assert.DoesNotContain("Subplans Removed", text, StringComparison.Ordinal);
        return [.. PartitionName().Matches(text).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal)];
    }

    [GeneratedRegex(@"\bsamples(_1m|_1h)?_(p\d{8}|default)\b")]
    private static partial Regex PartitionName();

    /// <summary>Moves the test clock to <paramref name="hour"/>:00 UTC, <paramref name="days"/> days after today; returns that day.</summary>
    private DateTime AdvanceTo(int days, int hour)
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        var target = now.Date.AddDays(days).AddHours(hour);
        Clock.Advance(target - now);
        return target.Date;
    }

    private async Task<SampleRollupService> StoppedRollupAsync()
    {
        var rollup = Api.Services.GetRequiredService<SampleRollupService>();
        await rollup.StopAsync(Cancel);
        return rollup;
    }

    private async Task<(Guid Link, Guid Host)> CreateLinkAsync()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin);
        using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond() }, FleetJson.Options, Cancel);
        return ((await ReadAsync<LinkDto>(response)).Id, host.HostId);
    }

    private static async Task<SamplesDto> GetSamplesAsync(HttpClient client, Guid link, string resolution, DateTime from, DateTime to)
    {
        using var response = await client.GetAsync(new Uri($"api/v1/links/{link}/samples?resolution={resolution}&from={Iso(from)}&to={Iso(to)}", UriKind.Relative), Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
        return await ReadAsync<SamplesDto>(response);
    }

    private static string Iso(DateTime time) => Uri.EscapeDataString(time.ToString("O", CultureInfo.InvariantCulture));

    private static string SeriesJson(SamplesDto dto) => System.Text.Json.JsonSerializer.Serialize(dto.Series, FleetJson.Options);

    /// <summary>Every row of the three sample tables, as PostgreSQL renders them, in a stable order.</summary>
    private async Task<List<string>> AllRowsAsync()
    {
        await using var db = Database.CreateContext();
        return await TextAsync(db, """
            SELECT 'samples ' || s::text FROM samples s
            UNION ALL SELECT 'samples_1m ' || m::text FROM samples_1m m
            UNION ALL SELECT 'samples_1h ' || h::text FROM samples_1h h
            ORDER BY 1
            """);
    }

    private static async Task<long> DeletedTuplesAsync(FleetDbContext db, string table)
    {
        var rows = await TextAsync(db, $"SELECT n_tup_del::text FROM pg_stat_user_tables WHERE relname = '{table}'");
        return long.Parse(Assert.Single(rows), CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> TextAsync(FleetDbContext db, string sql)
    {
        await db.Database.OpenConnectionAsync(Cancel);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static SampleEntity Sample(Guid link, string member, DateTime time, long txBytes) =>
        new() { LinkId = link, Member = member, Time = time, IntervalMs = 1000, TxBytes = txBytes, Health = MemberHealth.Up };

    /// <summary>An INSERT of <paramref name="rows"/> into <c>samples</c> as it was at <see cref="PreviousMigration"/>.</summary>
    private static string OldSamplesInsert(IEnumerable<SampleEntity> rows) =>
        "INSERT INTO samples (link_id, member, time, interval_ms, tx_bytes, rx_bytes, tx_packets, rx_packets, tx_drops, rx_drops, errors, reorder_depth, reorder_depth_max, health) VALUES " +
        string.Join(", ", rows.Select(s => string.Create(CultureInfo.InvariantCulture,
            $"('{s.LinkId}', '{s.Member}', '{s.Time:yyyy-MM-dd HH:mm:ss.ffffff}+00', {s.IntervalMs}, {s.TxBytes}, 0, 0, 0, 0, 0, 0, 0, 0, {(int)s.Health})")));

    /// <summary>An INSERT of one rollup row per bucket into <paramref name="table"/> as it was at <see cref="PreviousMigration"/> (tx bytes: the bucket's minute + 1).</summary>
    private static string OldRollupsInsert(string table, Guid link, IEnumerable<DateTime> buckets) =>
        $"INSERT INTO {table} (link_id, member, bucket_start, sample_count, interval_ms_sum, tx_bytes, rx_bytes, tx_packets, rx_packets, tx_drops, rx_drops, errors, " +
        "reorder_depth_max, reorder_depth_sum, rtt_count, rtt_ms_sum, loss_count, loss_percent_sum, health_worst) VALUES " +
        string.Join(", ", buckets.Select(b => string.Create(CultureInfo.InvariantCulture,
            $"('{link}', 'eth1', '{b:yyyy-MM-dd HH:mm:ss}+00', 60, 60000, {b.Minute + 1}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)")));
}
