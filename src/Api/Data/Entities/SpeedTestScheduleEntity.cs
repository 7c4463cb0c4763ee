using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// A link's daily path speed test (docs/doctor.md, "Scheduled speed tests"): at most one per link, kept by the Api (not
/// agent state, so not in the link's spec). <see cref="LastStartedOn"/> is a concurrency token: a replica claims a day
/// by writing it in the same transaction that stores the test, so two replicas never start the same day twice.
/// </summary>
public sealed class SpeedTestScheduleEntity
{
    public const int RefusalMaxLength = 2000;

    public Guid LinkId { get; set; }

    public TimeOnly DailyAtUtc { get; set; }

    public int MaxMbitPerPath { get; set; }

    public required string UpdatedBy { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>The day (UTC) whose scheduled test started; survives restarts so a day is tested once.</summary>
    public DateOnly? LastStartedOn { get; set; }

    /// <summary>Why the latest scheduled start was refused; kept so a reader sees why a night has no test.</summary>
    public string? LastRefusal { get; set; }

    public DateTime? LastRefusedAt { get; set; }
}

internal sealed class SpeedTestScheduleEntityConfiguration : IEntityTypeConfiguration<SpeedTestScheduleEntity>
{
    public void Configure(EntityTypeBuilder<SpeedTestScheduleEntity> builder)
    {
        builder.ToTable("speed_test_schedules");
        builder.HasKey(s => s.LinkId);
        builder.Property(s => s.UpdatedBy).HasMaxLength(200);
        builder.Property(s => s.LastRefusal).HasMaxLength(SpeedTestScheduleEntity.RefusalMaxLength);
        builder.Property(s => s.LastStartedOn).IsConcurrencyToken();
        builder.HasOne<LinkEntity>().WithMany().HasForeignKey(s => s.LinkId).OnDelete(DeleteBehavior.Cascade);
    }
}
