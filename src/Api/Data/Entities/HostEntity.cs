using Fleet.Contracts.Agents;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Fleet.Api.Data.Entities;

/// <summary>An enrolled host: one agent. Hosts are never deleted; decommissioning revokes their credentials.</summary>
public sealed class HostEntity
{
    public const int NameMaxLength = 200;
    public const int HostnameMaxLength = 253;

    public Guid Id { get; set; }

    /// <summary>Display name, set by operators; the hostname at enrollment.</summary>
    public required string Name { get; set; }

    /// <summary>The hostname the agent reported at enrollment (and on every hello).</summary>
    public required string Hostname { get; set; }

    public string? AgentVersion { get; set; }

    public string? KernelVersion { get; set; }

    /// <summary>What the host's kernel can do, from the agent's last hello; null until the first hello.</summary>
    public AgentCapabilities? Capabilities { get; set; }

    /// <summary>The host's interfaces from the agent's last hello.</summary>
    public IReadOnlyList<InterfaceInventory>? Interfaces { get; set; }

    public DateTime EnrolledAt { get; set; }

    /// <summary>When the agent was last heard from (hello, batch or state report).</summary>
    public DateTime? LastSeenAt { get; set; }

    public DateTime? DecommissionedAt { get; set; }

    /// <summary>
    /// When the agent's current hub connection said hello (whole milliseconds); null when it has none. Written at hello
    /// and cleared when that connection closes, by whichever replica holds it (<see cref="Fleet.Api.Agents.HostPresence"/>).
    /// </summary>
    public DateTime? ConnectedSince { get; set; }

    /// <summary>The agent's batch queue seen last (<c>SampleBatch.QueueId</c>): a new one means its queue started over.</summary>
    public Guid? BatchQueueId { get; set; }

    public List<HostLabelEntity> Labels { get; set; } = [];

    public List<LinkEntity> Links { get; set; } = [];
}

internal sealed class HostEntityConfiguration : IEntityTypeConfiguration<HostEntity>
{
    public void Configure(EntityTypeBuilder<HostEntity> builder)
    {
        builder.ToTable("hosts");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.Name).HasMaxLength(HostEntity.NameMaxLength);
        builder.Property(h => h.Hostname).HasMaxLength(HostEntity.HostnameMaxLength);
        builder.Property(h => h.AgentVersion).HasMaxLength(64);
        builder.Property(h => h.KernelVersion).HasMaxLength(128);
        builder.Property(h => h.Capabilities).HasConversion(StoredCapabilities.Converter, JsonColumn.Comparer<AgentCapabilities?>());
        builder.Property(h => h.Interfaces).HasConversion(JsonColumn.Converter<IReadOnlyList<InterfaceInventory>?>(), JsonColumn.Comparer<IReadOnlyList<InterfaceInventory>?>());
        builder.HasIndex(h => h.Name);
        builder.HasMany(h => h.Labels).WithOne().HasForeignKey(l => l.HostId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(h => h.Links).WithOne(l => l.Host).HasForeignKey(l => l.HostId).OnDelete(DeleteBehavior.Cascade);
    }
}
