using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// A bonded link on a host: the desired spec with its generation, and the rollout state the agent reports.
/// <see cref="DesiredGeneration"/> is a concurrency token: the Api's spec changes are compare-and-swap on it, so a
/// writer that reports observed state must not overwrite it (use <c>ExecuteUpdate</c> on the observed columns).
/// Deleted links keep their row (and policy history) with <see cref="DeletedAt"/> set.
/// </summary>
public sealed class LinkEntity
{
    public Guid Id { get; set; }

    public Guid HostId { get; set; }

    public HostEntity? Host { get; set; }

    /// <summary>Interface name of the bonded device: <see cref="LinkSpec.Name"/> of the desired spec.</summary>
    public required string Name { get; set; }

    public LinkKind Kind { get; set; }

    /// <summary>The desired spec (JSON column).</summary>
    public required LinkSpec Spec { get; set; }

    public long DesiredGeneration { get; set; }

    /// <summary>The generation the agent reports in force; 0 before the first apply.</summary>
    public long ObservedGeneration { get; set; }

    /// <summary>Pending whenever the Api stores a new generation; every other phase comes from the agent.</summary>
    public LinkPhase Phase { get; set; }

    public string? LastError { get; set; }

    public DateTime PhaseChangedAt { get; set; }

    /// <summary>
    /// A kernel bond: what its driver reported last (<see cref="ObservedLinkState.Bond"/>: member
    /// speeds, LACP aggregation, link monitor) for the doctor; JSON column, null for other kinds.
    /// </summary>
    public ObservedBond? ObservedBond { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime? DeletedAt { get; set; }

    /// <summary>
    /// When the host's agent showed it had the deletion: a <c>Removing</c> report about the deleted link, or a hello
    /// after it (whose desired state leaves the link out, so the agent's own reconciliation removes it). Null while a
    /// deleted link's <c>RemoveLink</c> may have been lost on the way: the replicas send it again until it is set
    /// (<c>PendingSpecResend</c>). Set for links deleted before the column existed.
    /// </summary>
    public DateTime? RemovalAcknowledgedAt { get; set; }

    /// <summary>
    /// The pair this link is one end of (<see cref="LinkPairEntity"/>), or null for a link of its own. An end is
    /// changed and deleted through its pair only, so its two ends never disagree.
    /// </summary>
    public Guid? PairId { get; set; }

    /// <summary>
    /// The aggregator link (kind aggregator) this striper link is a site of, or null. A site is created and deleted
    /// through its aggregator's sites (<c>AggregatorSiteCommands</c>), which changes both sides in one transaction.
    /// </summary>
    public Guid? AggregatorId { get; set; }

    public List<MemberEntity> Members { get; set; } = [];
}

internal sealed class LinkEntityConfiguration : IEntityTypeConfiguration<LinkEntity>
{
    public void Configure(EntityTypeBuilder<LinkEntity> builder)
    {
        builder.ToTable("links");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.Id).ValueGeneratedNever();
        builder.Property(l => l.Name).HasMaxLength(15);
        builder.Property(l => l.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(l => l.Phase).HasConversion<string>().HasMaxLength(16);
        builder.Property(l => l.LastError).HasMaxLength(2000);
        builder.Property(l => l.Spec).HasConversion(JsonColumn.Converter<LinkSpec>(), JsonColumn.Comparer<LinkSpec>());
        builder.Property(l => l.ObservedBond).HasConversion(JsonColumn.Converter<ObservedBond?>(), JsonColumn.Comparer<ObservedBond?>());
        builder.Property(l => l.DesiredGeneration).IsConcurrencyToken();

        // One live link per interface name per host; deleted links keep their name for history.
        builder.HasIndex(l => new { l.HostId, l.Name }).IsUnique().HasFilter("\"deleted_at\" IS NULL");
        builder.HasIndex(l => l.AggregatorId);

        // The removals still owed (a hello and every resend round look for a host's): few rows, so a small index.
        builder.HasIndex(l => l.HostId, "ix_links_removals_owed").HasFilter("\"deleted_at\" IS NOT NULL AND \"removal_acknowledged_at\" IS NULL");
        builder.HasMany(l => l.Members).WithOne().HasForeignKey(m => m.LinkId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany<PolicyRevisionEntity>().WithOne().HasForeignKey(r => r.LinkId).OnDelete(DeleteBehavior.Cascade);
    }
}
