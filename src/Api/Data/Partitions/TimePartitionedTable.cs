using System.Globalization;

namespace Fleet.Api.Data.Partitions;

/// <summary>How much time one partition of a <see cref="TimePartitionedTable"/> covers (UTC, calendar-aligned).</summary>
public enum PartitionWidth
{
    /// <summary>Midnight to midnight.</summary>
    Day,

    /// <summary>Monday 00:00 to the next Monday (PostgreSQL's <c>date_trunc('week', …)</c>).</summary>
    Week,

    /// <summary>The first of a month to the first of the next.</summary>
    Month,
}

/// <summary>
/// A table that PostgreSQL keeps as a declaratively partitioned table, ranged by one time column (migration
/// <c>SamplePartitions</c>; docs/operations.md, "Sample partitions"). Partitions are named
/// <c>&lt;table&gt;_p&lt;yyyyMMdd of their start&gt;</c> and cover <see cref="Width"/>; the default partition
/// <c>&lt;table&gt;_default</c> catches a row whose partition does not exist yet, and <see cref="TimePartitions"/> moves
/// such rows into their own partition. SQLite keeps these tables whole and deletes by age instead.
/// </summary>
/// <param name="Name">The table.</param>
/// <param name="Column">The partition key column (part of the table's primary key, as PostgreSQL requires).</param>
/// <param name="Width">What one partition covers.</param>
public sealed record TimePartitionedTable(string Name, string Column, PartitionWidth Width)
{
    /// <summary>Raw samples: a day per partition (80,000 samples/s is 7 billion rows a day at 10,000 sites, issue 16).</summary>
    public static readonly TimePartitionedTable Samples = new("samples", "time", PartitionWidth.Day);

    /// <summary>1-minute rollups: a week per partition (kept 30 days by default).</summary>
    public static readonly TimePartitionedTable MinuteRollups = new("samples_1m", "bucket_start", PartitionWidth.Week);

    /// <summary>1-hour rollups: a month per partition (kept a year by default).</summary>
    public static readonly TimePartitionedTable HourRollups = new("samples_1h", "bucket_start", PartitionWidth.Month);

    /// <summary>Every partitioned table, in the order maintenance visits them.</summary>
    public static readonly IReadOnlyList<TimePartitionedTable> All = [Samples, MinuteRollups, HourRollups];

    private const string DateFormat = "yyyyMMdd";

    /// <summary>The partition that takes rows no other partition covers.</summary>
    public string DefaultPartition => Name + "_default";

    /// <summary>The <c>date_trunc</c> field of <see cref="Width"/>.</summary>
    public string TruncField => Width switch
    {
        PartitionWidth.Day => "day",
        PartitionWidth.Week => "week",
        PartitionWidth.Month => "month",
        _ => throw new InvalidOperationException($"partition width {Width} is not known"),
    };

    /// <summary>The start of the partition that holds <paramref name="time"/> (UTC).</summary>
    public DateTime Start(DateTime time)
    {
        var day = new DateTime(time.Year, time.Month, time.Day, 0, 0, 0, DateTimeKind.Utc);
        return Width switch
        {
            PartitionWidth.Day => day,
            PartitionWidth.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
            PartitionWidth.Month => new DateTime(time.Year, time.Month, 1, 0, 0, 0, DateTimeKind.Utc),
            _ => throw new InvalidOperationException($"partition width {Width} is not known"),
        };
    }

    /// <summary>The end (exclusive) of the partition that starts at <paramref name="start"/>.</summary>
    public DateTime End(DateTime start) => Width switch
    {
        PartitionWidth.Day => start.AddDays(1),
        PartitionWidth.Week => start.AddDays(7),
        PartitionWidth.Month => start.AddMonths(1),
        _ => throw new InvalidOperationException($"partition width {Width} is not known"),
    };

    /// <summary>The partition's name: the table, <c>_p</c>, its start date.</summary>
    public string PartitionName(DateTime start) => $"{Name}_p{start.ToString(DateFormat, CultureInfo.InvariantCulture)}";

    /// <summary>The start of a partition named by <see cref="PartitionName"/>; false for any other name (the default partition).</summary>
    public bool TryParseStart(string partition, out DateTime start)
    {
        var prefix = Name + "_p";
        start = default;
        return partition.StartsWith(prefix, StringComparison.Ordinal)
            && DateTime.TryParseExact(partition[prefix.Length..], DateFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out start);
    }

    /// <summary>The partitions' starts that cover [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public IEnumerable<DateTime> Starts(DateTime from, DateTime to)
    {
        for (var start = Start(from); start <= to; start = End(start))
        {
            yield return start;
        }
    }
}
