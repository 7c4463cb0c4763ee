using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>A token hosts enroll with: expiring, limited to <see cref="MaxUses"/> enrollments, revocable.</summary>
public sealed class EnrollmentTokenEntity
{
    public Guid Id { get; set; }

    public string? Description { get; set; }

    public required string SecretHash { get; set; }

    public required string Prefix { get; set; }

    public DateTime CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime ExpiresAt { get; set; }

    public int MaxUses { get; set; }

    /// <summary>Incremented atomically (<c>UPDATE … WHERE use_count &lt; max_uses</c>) by each enrollment.</summary>
    public int UseCount { get; set; }

    public DateTime? RevokedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }
}

internal sealed class EnrollmentTokenEntityConfiguration : IEntityTypeConfiguration<EnrollmentTokenEntity>
{
    public void Configure(EntityTypeBuilder<EnrollmentTokenEntity> builder)
    {
        builder.ToTable("enrollment_tokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.Description).HasMaxLength(200);
        builder.Property(t => t.SecretHash).HasMaxLength(64);
        builder.Property(t => t.Prefix).HasMaxLength(16);
        builder.Property(t => t.CreatedBy).HasMaxLength(200);
        builder.HasIndex(t => t.SecretHash).IsUnique();
    }
}
