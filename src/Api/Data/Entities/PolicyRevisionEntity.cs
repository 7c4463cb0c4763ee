using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>
/// Every spec a link ever had, by generation. The Api writes a row with outcome Pending for each new generation;
/// the agent hub fills in the outcome from the agent's reports.
/// </summary>
public sealed class PolicyRevisionEntity
{
    public Guid Id { get; set; }

    public Guid LinkId { get; set; }

    public long Generation { get; set; }

    public required LinkSpec Spec { get; set; }

    /// <summary>Who set it (<c>user:NAME</c>, <c>api_key:NAME</c>).</summary>
    public required string Author { get; set; }

    public string? Reason { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Set when this revision was made by reverting to an earlier generation.</summary>
    public long? RevertedFromGeneration { get; set; }

    public PolicyOutcome Outcome { get; set; }

    public string? OutcomeMessage { get; set; }

    public DateTime? OutcomeAt { get; set; }
}

internal sealed class PolicyRevisionEntityConfiguration : IEntityTypeConfiguration<PolicyRevisionEntity>
{
    public void Configure(EntityTypeBuilder<PolicyRevisionEntity> builder)
    {
        builder.ToTable("policy_revisions");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Spec).HasConversion(JsonColumn.Converter<LinkSpec>(), JsonColumn.Comparer<LinkSpec>());
        builder.Property(r => r.Author).HasMaxLength(200);
        builder.Property(r => r.Reason).HasMaxLength(500);
        builder.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.OutcomeMessage).HasMaxLength(2000);
        builder.HasIndex(r => new { r.LinkId, r.Generation }).IsUnique();
    }
}
