using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Fleet.Api.Data.Partitions;

/// <summary>What one retention step did to a partitioned table.</summary>
/// <param name="Dropped">The partitions dropped whole (every row in them older than the cutoff).</param>
/// <param name="DeletedFromDefault">Rows older than the cutoff deleted from the default partition (normally none).</param>
public sealed record PartitionRetention(IReadOnlyList<string> Dropped, int DeletedFromDefault);

/// <summary>
/// The upkeep of PostgreSQL's time partitions (<see cref="TimePartitionedTable"/>), run by the rollup service at start
/// and on its retention cadence: partitions are created <see cref="Ahead"/> of the clock, so ingestion (a binary COPY
/// into the parent, which PostgreSQL routes) never waits for one; rows that nevertheless landed in the default
/// partition (the service was down for days, a host's clock is years off) are moved into partitions of their own; and
/// retention drops whole partitions instead of deleting rows, which at 80,000 samples/s would be billions of dead
/// tuples a day for vacuum (issue 16). Each step is one transaction that takes an advisory lock, so replicas running
/// it at once take turns, and a lock timeout, so a step that cannot get its table lock gives up (and is retried on the
/// next pass) rather than queue every ingest and query behind it. PostgreSQL only.
/// </summary>
public static class TimePartitions
{
    /// <summary>How far ahead of the clock partitions exist (today and the next two days for <c>samples</c>).</summary>
    public static readonly TimeSpan Ahead = TimeSpan.FromDays(2);

    // pg_advisory_xact_lock key of partition upkeep: "FleetPar" in ASCII, unique among Fleet's advisory locks.
    private const long AdvisoryLockKey = 0x466C656574506172;

    /// <summary>
    /// Creates the missing partitions of every table from the one holding <paramref name="now"/> to the one holding
    /// <paramref name="now"/> + <see cref="Ahead"/>, and the partitions of rows waiting in a default partition, into
    /// which those rows move. Returns the partitions created.
    /// </summary>
    public static async Task<IReadOnlyList<string>> EnsureAsync(FleetDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var created = new List<string>();
        foreach (var table in TimePartitionedTable.All)
        {
            created.AddRange(await EnsureAsync(db, table, now, cancellationToken));
        }

        return created;
    }

    /// <summary><see cref="EnsureAsync(FleetDbContext, DateTime, CancellationToken)"/> for one table.</summary>
    public static async Task<IReadOnlyList<string>> EnsureAsync(FleetDbContext db, TimePartitionedTable table, DateTime now, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginAsync(db, cancellationToken);
        var existing = await PartitionsAsync(db, table, cancellationToken);
        var stranded = await QueryStartsAsync(db, $"""SELECT DISTINCT date_trunc('{table.TruncField}', "{table.Column}" AT TIME ZONE 'UTC') FROM "{table.DefaultPartition}" """, cancellationToken);
        var missing = table.Starts(now, now + Ahead).Concat(stranded)
            .Distinct()
            .Where(start => !existing.Contains(table.PartitionName(start)))
            .Order()
            .ToList();
        if (missing.Count == 0)
        {
            return [];
        }

        // Creating a partition whose range has rows in the default partition fails (they would belong to both): take
        // the default out, create the partitions, move its rows through the parent (which routes each to its own
        // partition), and put it back empty.
        if (stranded.Count > 0)
        {
            await ExecuteAsync(db, $"""ALTER TABLE "{table.Name}" DETACH PARTITION "{table.DefaultPartition}" """, cancellationToken);
        }

        foreach (var start in missing)
        {
            await ExecuteAsync(db, CreatePartitionSql(table, start), cancellationToken);
        }

        if (stranded.Count > 0)
        {
            await ExecuteAsync(db, $"""WITH moved AS (DELETE FROM "{table.DefaultPartition}" RETURNING *) INSERT INTO "{table.Name}" SELECT * FROM moved""", cancellationToken);
            await ExecuteAsync(db, $"""ALTER TABLE "{table.Name}" ATTACH PARTITION "{table.DefaultPartition}" DEFAULT""", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return [.. missing.Select(table.PartitionName)];
    }

    /// <summary>
    /// Drops the partitions of <paramref name="table"/> that end at or before <paramref name="cutoff"/>, and deletes the
    /// default partition's rows older than it. A partition that still holds a row younger than the cutoff stays
    /// whole: rows live up to one partition width longer than their retention.
    /// </summary>
    public static async Task<PartitionRetention> DropExpiredAsync(FleetDbContext db, TimePartitionedTable table, DateTime cutoff, CancellationToken cancellationToken)
    {
        await using var transaction = await BeginAsync(db, cancellationToken);
        var expired = new List<string>();
        foreach (var partition in (await PartitionsAsync(db, table, cancellationToken)).Order(StringComparer.Ordinal))
        {
            if (table.TryParseStart(partition, out var start) && table.End(start) <= cutoff)
            {
                await ExecuteAsync(db, $"""DROP TABLE "{partition}" """, cancellationToken);
                expired.Add(partition);
            }
        }

        var deleted = await ExecuteAsync(db, $"""DELETE FROM "{table.DefaultPartition}" WHERE "{table.Column}" < '{Literal(cutoff)}'""", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new PartitionRetention(expired, deleted);
    }

    /// <summary>The statement that creates the partition of <paramref name="table"/> starting at <paramref name="start"/>.</summary>
    public static string CreatePartitionSql(TimePartitionedTable table, DateTime start) =>
        $"""CREATE TABLE IF NOT EXISTS "{table.PartitionName(start)}" PARTITION OF "{table.Name}" FOR VALUES FROM ('{Literal(start)}') TO ('{Literal(table.End(start))}')""";

    /// <summary>The names of <paramref name="table"/>'s partitions (the default one included), from the catalog.</summary>
    public static async Task<IReadOnlySet<string>> PartitionsAsync(FleetDbContext db, TimePartitionedTable table, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(db, $"SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '\"{table.Name}\"'::regclass");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static async Task<IDbContextTransaction> BeginAsync(FleetDbContext db, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await ExecuteAsync(db, "SET LOCAL lock_timeout = '10s'", cancellationToken);
            await ExecuteAsync(db, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    private static async Task<List<DateTime>> QueryStartsAsync(FleetDbContext db, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(db, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var starts = new List<DateTime>();
        while (await reader.ReadAsync(cancellationToken))
        {
            // date_trunc of a timestamp at time zone UTC: a UTC wall-clock time without a zone.
            starts.Add(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc));
        }

        return starts;
    }

    private static async Task<int> ExecuteAsync(FleetDbContext db, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(db, sql);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Every statement here is built from the tables' constant names and from timestamps formatted below; no input.
    private static DbCommand Command(FleetDbContext db, string sql)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    private static string Literal(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00";
}
