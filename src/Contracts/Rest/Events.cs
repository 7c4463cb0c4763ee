using Fleet.Contracts.Agents;

namespace Fleet.Contracts.Rest;

/// <summary>Something that happened on a host, as its agent reported it.</summary>
public sealed record EventDto
{
    /// <summary>Event id (time-ordered by arrival).</summary>
    public required Guid Id { get; init; }

    /// <summary>When it happened on the host.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The host.</summary>
    public required Guid HostId { get; init; }

    /// <summary>The link, if any.</summary>
    public Guid? LinkId { get; init; }

    /// <summary>The member, if any.</summary>
    public string? Member { get; init; }

    /// <summary>What happened.</summary>
    public required AgentEventKind Kind { get; init; }

    /// <summary>How much it matters.</summary>
    public required EventSeverity Severity { get; init; }

    /// <summary>Details.</summary>
    public required string Message { get; init; }
}
