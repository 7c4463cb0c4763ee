using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>A custom alert rule (docs/alerts.md, "Custom rules"): a sample counter compared with a threshold, made over REST.</summary>
public sealed class AlertRuleEntity
{
    public const int NameMaxLength = 64;

    public Guid Id { get; set; }

    /// <summary>Unique; Alertmanager's <c>alertname</c> of its alerts.</summary>
    public required string Name { get; set; }

    public bool Enabled { get; set; }

    /// <summary>The counter's wire name (<c>MemberCounterInfo.Name</c>).</summary>
    public required string Metric { get; set; }

    public AlertComparison Comparison { get; set; }

    public double Threshold { get; set; }

    /// <summary>The rule's "for" in milliseconds (one portable column type on both providers).</summary>
    public long ForMs { get; set; }

    public AlertRuleScope Scope { get; set; }

    public AlertRuleSubject Subject { get; set; }

    public Guid? HostId { get; set; }

    public Guid? LinkId { get; set; }

    /// <summary>Scope labels: what a host must carry (empty for other scopes).</summary>
    public Dictionary<string, string> Labels { get; set; } = [];

    public AlertSeverity Severity { get; set; }

    public required string UpdatedBy { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>Bumped by every change: the ETag's version and a concurrency token.</summary>
    public long Version { get; set; }
}

internal sealed class AlertRuleEntityConfiguration : IEntityTypeConfiguration<AlertRuleEntity>
{
    public void Configure(EntityTypeBuilder<AlertRuleEntity> builder)
    {
        builder.ToTable("alert_rules");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Name).HasMaxLength(AlertRuleEntity.NameMaxLength);
        builder.Property(r => r.Metric).HasMaxLength(32);
        builder.Property(r => r.Comparison).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Scope).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Subject).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Severity).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Labels).HasConversion(JsonColumn.Converter<Dictionary<string, string>>(), JsonColumn.Comparer<Dictionary<string, string>>());
        builder.Property(r => r.UpdatedBy).HasMaxLength(200);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.HasIndex(r => r.Name).IsUnique();
    }
}
