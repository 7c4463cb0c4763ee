using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>What a notification tells a receiver.</summary>
public enum AlertNotificationKind
{
    Fired,
    Resolved,
}

/// <summary>Where a notification is in its delivery.</summary>
public enum AlertNotificationState
{
    /// <summary>Not delivered yet; tried again at <see cref="AlertNotificationEntity.NextAttemptAt"/>.</summary>
    Pending,

    /// <summary>The receiver accepted it (2xx).</summary>
    Delivered,

    /// <summary>Still failing after the give-up time; kept for the record.</summary>
    Abandoned,
}

/// <summary>
/// The alert delivery outbox: one row per alert transition per receiver, written in the transaction that records the
/// transition, so an Api that stops between firing and delivery delivers after its restart (docs/alerts.md).
/// </summary>
public sealed class AlertNotificationEntity
{
    public const int ReceiverMaxLength = 100;
    public const int ErrorMaxLength = 500;

    public Guid Id { get; set; }

    public Guid AlertId { get; set; }

    /// <summary>The receiver's configured name (<c>Fleet:Alerts:Receivers:N:Name</c>).</summary>
    public required string Receiver { get; set; }

    public AlertNotificationKind Kind { get; set; }

    public AlertNotificationState State { get; set; }

    public int Attempts { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime NextAttemptAt { get; set; }

    /// <summary>When it was last tried (the receiver's delivery log); null before the first attempt.</summary>
    public DateTime? LastAttemptAt { get; set; }

    public DateTime? DeliveredAt { get; set; }

    public string? LastError { get; set; }
}

internal sealed class AlertNotificationEntityConfiguration : IEntityTypeConfiguration<AlertNotificationEntity>
{
    public void Configure(EntityTypeBuilder<AlertNotificationEntity> builder)
    {
        builder.ToTable("alert_notifications");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Id).ValueGeneratedNever();
        builder.Property(n => n.Receiver).HasMaxLength(AlertNotificationEntity.ReceiverMaxLength);
        builder.Property(n => n.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(n => n.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(n => n.LastError).HasMaxLength(AlertNotificationEntity.ErrorMaxLength);
        builder.HasIndex(n => new { n.State, n.NextAttemptAt });
        builder.HasIndex(n => n.AlertId);
        builder.HasIndex(n => new { n.Receiver, n.Id });
        builder.HasOne<AlertEntity>().WithMany().HasForeignKey(n => n.AlertId).OnDelete(DeleteBehavior.Cascade);
    }
}
