using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>An alert receiver made over REST (docs/alerts.md, "Receivers"); configured ones are not stored.</summary>
public sealed class AlertReceiverEntity
{
    public const int NameMaxLength = 64;
    public const int UrlMaxLength = 2000;

    public Guid Id { get; set; }

    /// <summary>Unique and never changed: the outbox rows name their receiver by it.</summary>
    public required string Name { get; set; }

    public AlertReceiverKind Kind { get; set; }

    public required string Url { get; set; }

    /// <summary>A webhook's signing secret, encrypted with the data-protection key ring (<c>AlertReceiverSecrets</c>); null for Alertmanager.</summary>
    public string? ProtectedSecret { get; set; }

    public AlertSeverity MinSeverity { get; set; }

    public required string UpdatedBy { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>Bumped by every change: the ETag's version and a concurrency token.</summary>
    public long Version { get; set; }
}

internal sealed class AlertReceiverEntityConfiguration : IEntityTypeConfiguration<AlertReceiverEntity>
{
    public void Configure(EntityTypeBuilder<AlertReceiverEntity> builder)
    {
        builder.ToTable("alert_receivers");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Name).HasMaxLength(AlertReceiverEntity.NameMaxLength);
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Url).HasMaxLength(AlertReceiverEntity.UrlMaxLength);
        builder.Property(r => r.ProtectedSecret).HasMaxLength(1000);
        builder.Property(r => r.MinSeverity).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.UpdatedBy).HasMaxLength(200);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasIndex(r => r.Name).IsUnique();
    }
}
