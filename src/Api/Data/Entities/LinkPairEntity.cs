using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// Two links Fleet keeps consistent as one resource (a host-to-host striper link, issue 20): the pair's spec and
/// generation, and its two ends, each an ordinary link of its host (<see cref="LinkEntity.PairId"/>). The ends carry
/// what the Api generated (the shared key, the listening ports); the pair's spec carries what the operator set, with
/// the tunnel addresses filled in. <see cref="Generation"/> is a concurrency token, as a link's desired generation is.
/// Deleted pairs keep their row with <see cref="DeletedAt"/> set, as their ends do.
/// </summary>
public sealed class LinkPairEntity
{
    public Guid Id { get; set; }

    /// <summary>The tunnel's interface name (<see cref="LinkPairSpec.Name"/>), for lists.</summary>
    public required string Name { get; set; }

    /// <summary>The spec (JSON column).</summary>
    public required LinkPairSpec Spec { get; set; }

    public long Generation { get; set; }

    public Guid AEndLinkId { get; set; }

    public Guid BEndLinkId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime? DeletedAt { get; set; }
}

internal sealed class LinkPairEntityConfiguration : IEntityTypeConfiguration<LinkPairEntity>
{
    public void Configure(EntityTypeBuilder<LinkPairEntity> builder)
    {
        builder.ToTable("link_pairs");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.Name).HasMaxLength(15);
        builder.Property(p => p.Spec).HasConversion(JsonColumn.Converter<LinkPairSpec>(), JsonColumn.Comparer<LinkPairSpec>());
        builder.Property(p => p.Generation).IsConcurrencyToken();
        builder.HasOne<LinkEntity>().WithMany().HasForeignKey(p => p.AEndLinkId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<LinkEntity>().WithMany().HasForeignKey(p => p.BEndLinkId).OnDelete(DeleteBehavior.Cascade);
    }
}
