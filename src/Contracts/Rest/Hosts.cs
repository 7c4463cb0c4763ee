using System.Text.Json.Serialization;
using Fleet.Contracts.Agents;

namespace Fleet.Contracts.Rest;

/// <summary>An enrolled host (one agent).</summary>
public sealed record HostDto
{
    /// <summary>Host id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Display name (defaults to the hostname at enrollment).</summary>
    public required string Name { get; init; }

    /// <summary>The hostname the agent reported.</summary>
    public required string Hostname { get; init; }

    /// <summary>Operator labels (key → value).</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>The agent's version, once it has connected.</summary>
    public string? AgentVersion { get; init; }

    /// <summary>The host's kernel release, once the agent has connected.</summary>
    public string? KernelVersion { get; init; }

    /// <summary>Link kinds the host can run, once the agent has connected.</summary>
    public AgentCapabilities? Capabilities { get; init; }

    /// <summary>The host's interfaces as last reported.</summary>
    public IReadOnlyList<InterfaceInventory>? Interfaces { get; init; }

    /// <summary>When the host enrolled.</summary>
    public required DateTimeOffset EnrolledAt { get; init; }

    /// <summary>When the agent was last heard from (written every 15 s at most).</summary>
    public DateTimeOffset? LastSeenAt { get; init; }

    /// <summary>
    /// True while the host's agent holds a hub connection to the Api (any replica): what automation should check to
    /// tell a connected agent from a dead one.
    /// </summary>
    public bool Online { get; init; }

    /// <summary>When the agent's current connection said hello; absent while it is not <see cref="Online"/>.</summary>
    public DateTimeOffset? ConnectedSince { get; init; }

    /// <summary>When the host was decommissioned (its credentials revoked); absent while in service.</summary>
    public DateTimeOffset? DecommissionedAt { get; init; }
}

/// <summary>Rename a host or replace its labels. Absent properties stay as they are.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateHostRequest
{
    /// <summary>New display name (1–200 characters).</summary>
    public string? Name { get; init; }

    /// <summary>The complete new label set (at most 32; keys 1–63 of <c>[A-Za-z0-9._/-]</c>, values up to 200 characters).</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}
