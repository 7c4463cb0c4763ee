using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>The credential an agent authenticates with (role <c>agent</c>, claim <c>fleet:host_id</c>); hashed like API keys.</summary>
public sealed class AgentCredentialEntity
{
    public Guid Id { get; set; }

    public Guid HostId { get; set; }

    public required string SecretHash { get; set; }

    public required string Prefix { get; set; }

    /// <summary>The enrollment token that issued it.</summary>
    public Guid? EnrollmentTokenId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    public DateTime? LastUsedAt { get; set; }
}

internal sealed class AgentCredentialEntityConfiguration : IEntityTypeConfiguration<AgentCredentialEntity>
{
    public void Configure(EntityTypeBuilder<AgentCredentialEntity> builder)
    {
        builder.ToTable("agent_credentials");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.SecretHash).HasMaxLength(64);
        builder.Property(c => c.Prefix).HasMaxLength(16);
        builder.HasIndex(c => c.SecretHash).IsUnique();
        builder.HasOne<HostEntity>().WithMany().HasForeignKey(c => c.HostId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<EnrollmentTokenEntity>().WithMany().HasForeignKey(c => c.EnrollmentTokenId).OnDelete(DeleteBehavior.SetNull);
    }
}
