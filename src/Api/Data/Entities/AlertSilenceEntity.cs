using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>A silence: alerts it matches while it is active are recorded but not delivered. Null scope fields match anything.</summary>
public sealed class AlertSilenceEntity
{
    public const int ReasonMaxLength = 500;

    public Guid Id { get; set; }

    public Guid? HostId { get; set; }

    public Guid? LinkId { get; set; }

    public string? Member { get; set; }

    public AlertRule? Rule { get; set; }

    public DateTime StartsAt { get; set; }

    public DateTime EndsAt { get; set; }

    public required string Author { get; set; }

    public required string Reason { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class AlertSilenceEntityConfiguration : IEntityTypeConfiguration<AlertSilenceEntity>
{
    public void Configure(EntityTypeBuilder<AlertSilenceEntity> builder)
    {
        builder.ToTable("alert_silences");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Member).HasMaxLength(15);
        builder.Property(s => s.Rule).HasConversion<string>().HasMaxLength(32);
        builder.Property(s => s.Author).HasMaxLength(200);
        builder.Property(s => s.Reason).HasMaxLength(AlertSilenceEntity.ReasonMaxLength);
        builder.HasIndex(s => s.EndsAt);
    }
}
