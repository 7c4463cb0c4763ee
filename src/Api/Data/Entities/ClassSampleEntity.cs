using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// One raw class sample: one traffic class of one striper link over one agent interval
/// (<see cref="Fleet.Contracts.Agents.ClassSample"/>, issue 13). Like <see cref="SampleEntity"/>: written in bulk,
/// numbers and names only, no foreign keys, pruned by age with the raw samples. Not rolled up: the charts and REST read
/// the raw rows, and a link has few classes.
/// </summary>
public sealed class ClassSampleEntity
{
    /// <summary>Longest class name (the link spec validator allows 32 characters).</summary>
    public const int MaxNameLength = 32;

    /// <summary>Surrogate key (identity / autoincrement); never exposed.</summary>
    public long Id { get; set; }

    public Guid LinkId { get; set; }

    public required string Class { get; set; }

    /// <summary>The action's wire name (<c>default</c>, <c>stripe</c>, <c>pin</c>, <c>duplicate</c>, <c>fec</c>).</summary>
    public required string Action { get; set; }

    /// <summary>End of the interval (UTC).</summary>
    public DateTime Time { get; set; }

    public int IntervalMs { get; set; }

    public long TxPackets { get; set; }

    public long TxBytes { get; set; }

    public long DuplicatesSent { get; set; }

    public long DuplicateBytes { get; set; }

    public long FecBlocks { get; set; }

    public long FecParityPackets { get; set; }

    public long FecParityBytes { get; set; }

    public long DropNoPath { get; set; }

    public long RxPackets { get; set; }

    public long RxBytes { get; set; }

    public long DuplicatesDropped { get; set; }

    public long FecRecovered { get; set; }

    public long FecLost { get; set; }

    public string? PinnedMember { get; set; }
}

internal sealed class ClassSampleEntityConfiguration : IEntityTypeConfiguration<ClassSampleEntity>
{
    public void Configure(EntityTypeBuilder<ClassSampleEntity> builder)
    {
        builder.ToTable("class_samples");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedOnAdd();
        builder.Property(s => s.Class).HasMaxLength(ClassSampleEntity.MaxNameLength);
        builder.Property(s => s.Action).HasMaxLength(16);
        builder.Property(s => s.PinnedMember).HasMaxLength(15);

        // Range queries per link (as samples); retention deletes by age.
        builder.HasIndex(s => new { s.LinkId, s.Time });
        builder.HasIndex(s => s.Time);
    }
}
