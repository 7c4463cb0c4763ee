using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>One operator label of a host. A table rather than JSON so hosts can be filtered by label on both providers.</summary>
public sealed class HostLabelEntity
{
    public const int KeyMaxLength = 63;
    public const int ValueMaxLength = 200;

    public Guid HostId { get; set; }

    public required string Key { get; set; }

    public required string Value { get; set; }
}

internal sealed class HostLabelEntityConfiguration : IEntityTypeConfiguration<HostLabelEntity>
{
    public void Configure(EntityTypeBuilder<HostLabelEntity> builder)
    {
        builder.ToTable("host_labels");
        builder.HasKey(l => new { l.HostId, l.Key });
        builder.Property(l => l.Key).HasMaxLength(HostLabelEntity.KeyMaxLength);
        builder.Property(l => l.Value).HasMaxLength(HostLabelEntity.ValueMaxLength);
        builder.HasIndex(l => new { l.Key, l.Value });
    }
}
