using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// A member of a link. The desired columns mirror the link's current spec (the Api rewrites them with every
/// generation); <see cref="Health"/>, <see cref="Tier"/> and <see cref="IdleReason"/> are observed by the agent.
/// </summary>
public sealed class MemberEntity
{
    /// <summary>Longest idle reason kept (longer ones are cut).</summary>
    public const int IdleReasonMaxLength = 200;

    public Guid Id { get; set; }

    public Guid LinkId { get; set; }

    /// <summary>Member interface name, unique within the link.</summary>
    public required string Interface { get; set; }

    public int Position { get; set; }

    public MemberAdminState AdminState { get; set; }

    public long? RateHintBitsPerSecond { get; set; }

    public int? LagHintMs { get; set; }

    public double? Weight { get; set; }

    public MemberHealth Health { get; set; }

    public DateTime? HealthChangedAt { get; set; }

    /// <summary>A striper member: the tier in force as the agent last reported it (null for other kinds, or not reported yet).</summary>
    public LinkTier? Tier { get; set; }

    /// <summary>A striper member: why it carried no data when the agent last reported (null: it may carry data).</summary>
    public string? IdleReason { get; set; }
}

internal sealed class MemberEntityConfiguration : IEntityTypeConfiguration<MemberEntity>
{
    public void Configure(EntityTypeBuilder<MemberEntity> builder)
    {
        builder.ToTable("members");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.Interface).HasMaxLength(15);
        builder.Property(m => m.AdminState).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Health).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Tier).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.IdleReason).HasMaxLength(MemberEntity.IdleReasonMaxLength);
        builder.HasIndex(m => new { m.LinkId, m.Interface }).IsUnique();
    }
}
