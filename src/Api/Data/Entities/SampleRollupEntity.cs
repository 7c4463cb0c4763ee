using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// A rollup bucket of one member's samples. Sums and counts rather than averages, so buckets re-aggregate exactly
/// (1-minute into 1-hour) and averages are computed on read. Not an entity itself: see the two tables below. The columns
/// are each counter's <see cref="MemberCounterInfo.RollupColumns"/>, which the rollup's SQL fills.
/// </summary>
public abstract class SampleRollupEntity : IMemberRow
{
    public Guid LinkId { get; set; }

    public required string Member { get; set; }

    /// <summary>Start of the bucket (UTC, aligned to the bucket size).</summary>
    public DateTime BucketStart { get; set; }

    public int SampleCount { get; set; }

    public long IntervalMsSum { get; set; }

    public long TxBytes { get; set; }

    public long RxBytes { get; set; }

    public long TxPackets { get; set; }

    public long RxPackets { get; set; }

    public long TxDrops { get; set; }

    public long RxDrops { get; set; }

    public long Errors { get; set; }

    public long ReorderDepthSum { get; set; }

    public int ReorderDepthMax { get; set; }

    public double RttMsSum { get; set; }

    public double? RttMsMax { get; set; }

    public int RttCount { get; set; }

    public double LossPercentSum { get; set; }

    public double? LossPercentMax { get; set; }

    public int LossCount { get; set; }

    /// <summary>The worst health seen in the bucket (numeric max of <see cref="MemberHealth"/>).</summary>
    public MemberHealth HealthWorst { get; set; }

    public double LargeProbeLossPercentSum { get; set; }

    public double? LargeProbeLossPercentMax { get; set; }

    public int LargeProbeLossCount { get; set; }

    public double SmallProbeLossPercentSum { get; set; }

    public double? SmallProbeLossPercentMax { get; set; }

    public int SmallProbeLossCount { get; set; }

    public double CpuPercentSum { get; set; }

    public double? CpuPercentMax { get; set; }

    public int CpuCount { get; set; }

    public double JitterMsSum { get; set; }

    public double? JitterMsMax { get; set; }

    public int JitterCount { get; set; }

    /// <summary>
    /// The bucket's REST point: totals as summed, averages from the sums and counts (<see cref="MemberCounterCatalog"/>:
    /// a level averages over the bucket's samples, a measurement over the samples that had it).
    /// </summary>
    public SamplePointDto ToPoint() => new()
    {
        Time = BucketStart,
        IntervalMs = IntervalMsSum,
        SampleCount = SampleCount,
        TxBytes = TxBytes,
        RxBytes = RxBytes,
        TxPackets = TxPackets,
        RxPackets = RxPackets,
        TxDrops = TxDrops,
        RxDrops = RxDrops,
        Errors = Errors,
        ReorderDepth = SampleCount == 0 ? 0 : (double)ReorderDepthSum / SampleCount,
        ReorderDepthMax = ReorderDepthMax,
        RttMs = RttCount == 0 ? null : RttMsSum / RttCount,
        RttMsMax = RttMsMax,
        LossPercent = LossCount == 0 ? null : LossPercentSum / LossCount,
        LossPercentMax = LossPercentMax,
        Health = HealthWorst,
        LargeProbeLossPercent = LargeProbeLossCount == 0 ? null : LargeProbeLossPercentSum / LargeProbeLossCount,
        LargeProbeLossPercentMax = LargeProbeLossPercentMax,
        SmallProbeLossPercent = SmallProbeLossCount == 0 ? null : SmallProbeLossPercentSum / SmallProbeLossCount,
        SmallProbeLossPercentMax = SmallProbeLossPercentMax,
        CpuPercent = CpuCount == 0 ? null : CpuPercentSum / CpuCount,
        CpuPercentMax = CpuPercentMax,
        JitterMs = JitterCount == 0 ? null : JitterMsSum / JitterCount,
        JitterMsMax = JitterMsMax,
    };
}

/// <summary>1-minute rollups (kept 30 days by default).</summary>
public sealed class SampleMinuteEntity : SampleRollupEntity;

/// <summary>1-hour rollups (kept a year by default).</summary>
public sealed class SampleHourEntity : SampleRollupEntity;

internal static class SampleRollupConfiguration
{
    public static void Configure<T>(EntityTypeBuilder<T> builder, string table)
        where T : SampleRollupEntity
    {
        builder.ToTable(table);
        builder.HasKey(r => new { r.LinkId, r.Member, r.BucketStart });
        builder.Property(r => r.Member).HasMaxLength(15);
        builder.HasIndex(r => new { r.LinkId, r.BucketStart });
        builder.HasIndex(r => r.BucketStart);

        // Columns added to tables that already had buckets (issue 12): an old bucket holds none of the measurement,
        // which a sum and a count of 0 say.
        builder.Property(r => r.LargeProbeLossPercentSum).HasDefaultValue(0.0);
        builder.Property(r => r.LargeProbeLossCount).HasDefaultValue(0);
        builder.Property(r => r.SmallProbeLossPercentSum).HasDefaultValue(0.0);
        builder.Property(r => r.SmallProbeLossCount).HasDefaultValue(0);
        builder.Property(r => r.CpuPercentSum).HasDefaultValue(0.0);
        builder.Property(r => r.CpuCount).HasDefaultValue(0);
        builder.Property(r => r.JitterMsSum).HasDefaultValue(0.0);
        builder.Property(r => r.JitterCount).HasDefaultValue(0);
    }
}

internal sealed class SampleMinuteEntityConfiguration : IEntityTypeConfiguration<SampleMinuteEntity>
{
    public void Configure(EntityTypeBuilder<SampleMinuteEntity> builder) => SampleRollupConfiguration.Configure(builder, "samples_1m");
}

internal sealed class SampleHourEntityConfiguration : IEntityTypeConfiguration<SampleHourEntity>
{
    public void Configure(EntityTypeBuilder<SampleHourEntity> builder) => SampleRollupConfiguration.Configure(builder, "samples_1h");
}
