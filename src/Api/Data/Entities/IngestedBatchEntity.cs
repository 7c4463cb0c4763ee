using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// A sample batch that has been stored: (host, agent queue, sequence) is the primary key, so inserting it in the same
/// transaction as the batch's samples and events makes a resent batch fail as a duplicate instead of being stored
/// twice, while a queue that starts over (new queue id) is never taken for the old one. The time range lets the
/// rollup job find the buckets a late batch touched.
/// </summary>
public sealed class IngestedBatchEntity
{
    public Guid HostId { get; set; }

    /// <summary>The agent's queue (<c>SampleBatch.QueueId</c>); empty for agents that predate queue ids.</summary>
    public Guid QueueId { get; set; }

    public long Sequence { get; set; }

    public DateTime ReceivedAt { get; set; }

    public int SampleCount { get; set; }

    public DateTime? FirstSampleAt { get; set; }

    public DateTime? LastSampleAt { get; set; }
}

internal sealed class IngestedBatchEntityConfiguration : IEntityTypeConfiguration<IngestedBatchEntity>
{
    public void Configure(EntityTypeBuilder<IngestedBatchEntity> builder)
    {
        builder.ToTable("ingested_batches");
        builder.HasKey(b => new { b.HostId, b.QueueId, b.Sequence });
        builder.Property(b => b.Sequence).ValueGeneratedNever();
        builder.HasIndex(b => b.ReceivedAt);
    }
}
