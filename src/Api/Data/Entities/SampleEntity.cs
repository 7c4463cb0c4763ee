using Fleet.Contracts.Agents;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// One raw sample: one member of one link over one agent interval (<see cref="MemberSample"/>).
/// Written in bulk (PostgreSQL binary COPY, SQLite batched inserts) and kept narrow: numbers only, no JSON, no
/// foreign keys (samples outlive deleted links and are pruned by age). Members are named by interface, as agents
/// report them. Exactly-once storage comes from <see cref="IngestedBatchEntity"/>, written in the same transaction.
/// The counters are those of <see cref="MemberCounterCatalog"/>, one column each (named <see cref="MemberCounterInfo.Column"/>);
/// <see cref="From"/> and <see cref="ToSample"/> are the one mapping each way between a row and a sample.
/// </summary>
public sealed class SampleEntity : IMemberRow
{
    /// <summary>Surrogate key (identity / autoincrement); never exposed.</summary>
    public long Id { get; set; }

    public Guid LinkId { get; set; }

    public required string Member { get; set; }

    /// <summary>End of the interval (UTC).</summary>
    public DateTime Time { get; set; }

    public int IntervalMs { get; set; }

    public long TxBytes { get; set; }

    public long RxBytes { get; set; }

    public long TxPackets { get; set; }

    public long RxPackets { get; set; }

    public long TxDrops { get; set; }

    public long RxDrops { get; set; }

    public long Errors { get; set; }

    public int ReorderDepth { get; set; }

    public int ReorderDepthMax { get; set; }

    public double? RttMs { get; set; }

    public double? LossPercent { get; set; }

    /// <summary>Stored as its number (<see cref="MemberHealth"/> orders Unknown &lt; Up &lt; Degraded &lt; Down).</summary>
    public MemberHealth Health { get; set; }

    public double? LargeProbeLossPercent { get; set; }

    public double? SmallProbeLossPercent { get; set; }

    public double? CpuPercent { get; set; }

    public double? JitterMs { get; set; }

    /// <summary>The row of <paramref name="s"/>, its time truncated as the database keeps it.</summary>
    public static SampleEntity From(MemberSample s) => new()
    {
        LinkId = s.LinkId,
        Member = s.Member,
        Time = UtcDateTimeConverter.ToStore(s.Time.UtcDateTime),
        IntervalMs = s.IntervalMs,
        TxBytes = s.TxBytes,
        RxBytes = s.RxBytes,
        TxPackets = s.TxPackets,
        RxPackets = s.RxPackets,
        TxDrops = s.TxDrops,
        RxDrops = s.RxDrops,
        Errors = s.Errors,
        ReorderDepth = s.ReorderDepth,
        ReorderDepthMax = s.ReorderDepthMax,
        RttMs = s.RttMs,
        LossPercent = s.LossPercent,
        Health = s.Health,
        LargeProbeLossPercent = s.LargeProbeLossPercent,
        SmallProbeLossPercent = s.SmallProbeLossPercent,
        CpuPercent = s.CpuPercent,
        JitterMs = s.JitterMs,
    };

    /// <summary>The sample this row stores.</summary>
    public MemberSample ToSample() => new()
    {
        LinkId = LinkId,
        Member = Member,
        Time = new DateTimeOffset(DateTime.SpecifyKind(Time, DateTimeKind.Utc)),
        IntervalMs = IntervalMs,
        TxBytes = TxBytes,
        RxBytes = RxBytes,
        TxPackets = TxPackets,
        RxPackets = RxPackets,
        TxDrops = TxDrops,
        RxDrops = RxDrops,
        Errors = Errors,
        ReorderDepth = ReorderDepth,
        ReorderDepthMax = ReorderDepthMax,
        RttMs = RttMs,
        LossPercent = LossPercent,
        Health = Health,
        LargeProbeLossPercent = LargeProbeLossPercent,
        SmallProbeLossPercent = SmallProbeLossPercent,
        CpuPercent = CpuPercent,
        JitterMs = JitterMs,
    };
}

internal sealed class SampleEntityConfiguration : IEntityTypeConfiguration<SampleEntity>
{
    public void Configure(EntityTypeBuilder<SampleEntity> builder)
    {
        builder.ToTable("samples");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedOnAdd();
        builder.Property(s => s.Member).HasMaxLength(15);

        // Range queries per link and per member (a link has at most 16 members, so a member's range is a filtered
        // scan of its link's range). One index for both keeps bulk ingest cheap.
        builder.HasIndex(s => new { s.LinkId, s.Time });

        // The rollup's time ranges over all links; on SQLite also retention, which deletes by age (PostgreSQL drops
        // whole time partitions instead, Data/Partitions, and declares both indexes once on the partitioned parent).
        builder.HasIndex(s => s.Time);
    }
}
