using System.Text.Json;

namespace Fleet.Contracts.Rest;

/// <summary>
/// The role of a user or API key. Viewer, operator and admin each include the rights of the ones before them;
/// <see cref="Metrics"/> stands apart.
/// </summary>
public enum FleetRole
{
    /// <summary>Reads everything except users, API keys, enrollment tokens and the audit log.</summary>
    Viewer,

    /// <summary>Also changes link policies (create, change, revert, delete links) and host names and labels.</summary>
    Operator,

    /// <summary>Also manages users, API keys, enrollment tokens, decommissions hosts and reads the audit log.</summary>
    Admin,

    /// <summary>
    /// API keys only: scrapes the live metrics endpoint (Prometheus) and nothing else — no REST call, hub or page.
    /// Never a user's role.
    /// </summary>
    Metrics,
}

/// <summary>One page of a list, newest or first items first; pass <see cref="NextCursor"/> as <c>cursor</c> for the next.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items of this page.</param>
/// <param name="NextCursor">Opaque cursor of the next page; absent on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor = null);

/// <summary>Who is calling: answer of <c>GET /api/v1/me</c>.</summary>
/// <param name="Name">User name, or the API key's name.</param>
/// <param name="Role">The caller's role.</param>
/// <param name="Kind"><c>user</c> (cookie login) or <c>api_key</c>.</param>
public sealed record CallerDto(string Name, FleetRole Role, string Kind);

/// <summary>One entry of the audit log: who changed what, when, and the state before and after.</summary>
public sealed record AuditEntryDto
{
    /// <summary>Entry id (time-ordered).</summary>
    public required Guid Id { get; init; }

    /// <summary>When the change was made.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Who made it: <c>user:NAME</c>, <c>api_key:NAME</c>, <c>agent:HOST-ID</c> or <c>system</c>.</summary>
    public required string Actor { get; init; }

    /// <summary>What was done, e.g. <c>link.spec.update</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The kind of object changed, e.g. <c>link</c>.</summary>
    public required string TargetType { get; init; }

    /// <summary>The object changed.</summary>
    public string? TargetId { get; init; }

    /// <summary>State before the change (secrets such as <c>striper.key</c> redacted).</summary>
    public JsonElement? Before { get; init; }

    /// <summary>State after the change (secrets redacted).</summary>
    public JsonElement? After { get; init; }
}
