using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>A local dashboard user; the password is hashed with ASP.NET Core's <c>PasswordHasher</c>.</summary>
public sealed class UserEntity
{
    public const int UserNameMaxLength = 64;

    public Guid Id { get; set; }

    /// <summary>Login name, lower case.</summary>
    public required string UserName { get; set; }

    public required string PasswordHash { get; set; }

    public FleetRole Role { get; set; }

    /// <summary>Changes whenever the password, role or enabled state changes; cookies carrying an old stamp are refused.</summary>
    public required string SecurityStamp { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? DisabledAt { get; set; }

    public DateTime? LastLoginAt { get; set; }
}

internal sealed class UserEntityConfiguration : IEntityTypeConfiguration<UserEntity>
{
    public void Configure(EntityTypeBuilder<UserEntity> builder)
    {
        builder.ToTable("users");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Id).ValueGeneratedNever();
        builder.Property(u => u.UserName).HasMaxLength(UserEntity.UserNameMaxLength);
        builder.Property(u => u.PasswordHash).HasMaxLength(500);
        builder.Property(u => u.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(u => u.SecurityStamp).HasMaxLength(64);
        builder.HasIndex(u => u.UserName).IsUnique();
    }
}
