using Fleet.Contracts.Agents;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// Something an agent reported (member down, failover, rollback…). Written with the sample batch it came in, so the
/// batch's (host, sequence) deduplicates it. No foreign keys: events outlive deleted links and are pruned by age.
/// </summary>
public sealed class EventEntity
{
    public const int MessageMaxLength = 2000;

    /// <summary>Version-7 id, assigned on arrival: the pagination cursor.</summary>
    public Guid Id { get; set; }

    /// <summary>When it happened on the host.</summary>
    public DateTime Time { get; set; }

    public Guid HostId { get; set; }

    public Guid? LinkId { get; set; }

    public string? Member { get; set; }

    public AgentEventKind Kind { get; set; }

    public EventSeverity Severity { get; set; }

    public required string Message { get; set; }
}

internal sealed class EventEntityConfiguration : IEntityTypeConfiguration<EventEntity>
{
    public void Configure(EntityTypeBuilder<EventEntity> builder)
    {
        builder.ToTable("events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Member).HasMaxLength(15);
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(e => e.Severity).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Message).HasMaxLength(EventEntity.MessageMaxLength);
        builder.HasIndex(e => e.Time);

        // The dashboard's event log reads newest first by event time, the REST list by id (its cursor): each filter
        // column leads one index per order, so a filtered page is a short index range read either way.
        builder.HasIndex(e => new { e.HostId, e.Time });
        builder.HasIndex(e => new { e.LinkId, e.Time });
        builder.HasIndex(e => new { e.HostId, e.Id });
        builder.HasIndex(e => new { e.LinkId, e.Id });
        builder.HasIndex(e => new { e.Kind, e.Id });
    }
}
