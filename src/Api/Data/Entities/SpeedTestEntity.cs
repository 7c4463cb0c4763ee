using Fleet.Contracts.Doctor;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// A path speed test the Api ordered from a link's agent, and what the agent answered (docs/doctor.md, "Path speed
/// test"). At most one of a link is <see cref="SpeedTestState.Pending"/> (a unique index); a pending one past
/// <c>SpeedTestCommands.Timeout</c> reads as timed out, and the next start writes it so.
/// </summary>
public sealed class SpeedTestEntity
{
    public const int ErrorMaxLength = 2000;

    public Guid Id { get; set; }

    public Guid LinkId { get; set; }

    /// <summary>The link's host when the test was ordered: only its agent may answer.</summary>
    public Guid HostId { get; set; }

    public SpeedTestState State { get; set; }

    public required string RequestedBy { get; set; }

    public DateTime RequestedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    public int MaxMbitPerPath { get; set; }

    public string? Error { get; set; }

    /// <summary>The agent's result (JSON column).</summary>
    public SpeedTestResult? Result { get; set; }

    /// <summary>The members' interface speeds the agent reported, bit/s (JSON column).</summary>
    public Dictionary<string, double>? InterfaceSpeeds { get; set; }

    /// <summary>A striper pair's end: the pair's other end, which measures the other direction (<see cref="Fleet.Api.Doctor.SpeedTestPeers"/>).</summary>
    public Guid? PeerLinkId { get; set; }

    /// <summary>The other end's host when the test was ordered: only its agent may answer for that direction.</summary>
    public Guid? PeerHostId { get; set; }

    /// <summary>The other direction's state; null until this end reported.</summary>
    public SpeedTestState? PeerState { get; set; }

    /// <summary>When the other end was ordered to run it (its own timeout counts from then).</summary>
    public DateTime? PeerOrderedAt { get; set; }

    /// <summary>Why the other direction has no measurement.</summary>
    public string? PeerError { get; set; }

    /// <summary>The other end's result (JSON column).</summary>
    public SpeedTestResult? PeerResult { get; set; }
}

internal sealed class SpeedTestEntityConfiguration : IEntityTypeConfiguration<SpeedTestEntity>
{
    public void Configure(EntityTypeBuilder<SpeedTestEntity> builder)
    {
        builder.ToTable("speed_tests");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.RequestedBy).HasMaxLength(200);
        builder.Property(t => t.Error).HasMaxLength(SpeedTestEntity.ErrorMaxLength);
        builder.Property(t => t.Result).HasConversion(JsonColumn.Converter<SpeedTestResult?>(), JsonColumn.Comparer<SpeedTestResult?>());
        builder.Property(t => t.InterfaceSpeeds).HasConversion(JsonColumn.Converter<Dictionary<string, double>?>(), JsonColumn.Comparer<Dictionary<string, double>?>());
        builder.Property(t => t.PeerState).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.PeerError).HasMaxLength(SpeedTestEntity.ErrorMaxLength);
        builder.Property(t => t.PeerResult).HasConversion(JsonColumn.Converter<SpeedTestResult?>(), JsonColumn.Comparer<SpeedTestResult?>());
        builder.HasIndex(t => new { t.LinkId, t.Id });

        // One test of a link at a time: two paths loaded by two tests would each measure half.
        builder.HasIndex(t => t.LinkId).IsUnique().HasFilter("\"state\" = 'Pending'");
        builder.HasOne<LinkEntity>().WithMany().HasForeignKey(t => t.LinkId).OnDelete(DeleteBehavior.Cascade);
    }
}
