using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// An alert (docs/alerts.md): fired by the alert engine, resolved by it, acknowledged by an operator. Kept after it
/// resolved (history). At most one alert of a <see cref="Subject"/> fires at a time (a filtered unique index).
/// </summary>
public sealed class AlertEntity
{
    public const int SubjectMaxLength = 120;
    public const int SummaryMaxLength = 500;

    public Guid Id { get; set; }

    public AlertRule Rule { get; set; }

    public AlertSeverity Severity { get; set; }

    public AlertStatus Status { get; set; }

    /// <summary>Rule, host, link and member as one key (<c>Fleet.Api.Alerts.AlertSubject.Key</c>).</summary>
    public required string Subject { get; set; }

    public Guid HostId { get; set; }

    public required string HostName { get; set; }

    public Guid? LinkId { get; set; }

    public string? LinkName { get; set; }

    public string? Member { get; set; }

    /// <summary>A custom rule's id (no foreign key: the alert outlives a deleted rule).</summary>
    public Guid? CustomRuleId { get; set; }

    /// <summary>A custom rule's name when it fired.</summary>
    public string? CustomRuleName { get; set; }

    public required string Summary { get; set; }

    /// <summary>When the condition was first seen.</summary>
    public DateTime StartsAt { get; set; }

    public DateTime FiredAt { get; set; }

    public DateTime? ResolvedAt { get; set; }

    /// <summary>The silence active when it fired: it was recorded, not delivered.</summary>
    public Guid? SilencedBy { get; set; }

    public string? AcknowledgedBy { get; set; }

    public DateTime? AcknowledgedAt { get; set; }

    /// <summary>Bumped by every change (acknowledged, resolved): the ETag's version and a concurrency token.</summary>
    public long Version { get; set; }
}

internal sealed class AlertEntityConfiguration : IEntityTypeConfiguration<AlertEntity>
{
    public void Configure(EntityTypeBuilder<AlertEntity> builder)
    {
        builder.ToTable("alerts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Rule).HasConversion<string>().HasMaxLength(32);
        builder.Property(a => a.Severity).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Subject).HasMaxLength(AlertEntity.SubjectMaxLength);
        builder.Property(a => a.HostName).HasMaxLength(HostEntity.NameMaxLength);
        builder.Property(a => a.LinkName).HasMaxLength(15);
        builder.Property(a => a.Member).HasMaxLength(15);
        builder.Property(a => a.CustomRuleName).HasMaxLength(AlertRuleEntity.NameMaxLength);
        builder.Property(a => a.Summary).HasMaxLength(AlertEntity.SummaryMaxLength);
        builder.Property(a => a.AcknowledgedBy).HasMaxLength(200);
        builder.Property(a => a.Version).IsConcurrencyToken();
        builder.HasIndex(a => a.Subject).IsUnique().HasFilter("\"status\" = 'Firing'");
        builder.HasIndex(a => new { a.Status, a.Id });
        builder.HasIndex(a => a.HostId);
    }
}
