using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Contracts.Rest;

namespace Fleet.Web.Policies;

/// <summary>Reads a link's policy (its desired spec) and the history of its revisions.</summary>
public interface IPolicyQuery
{
    /// <summary>The link's policy and revisions, or null when there is no such link.</summary>
    Task<PolicyDocument?> GetPolicyAsync(Guid linkId, CancellationToken cancellationToken);
}

/// <summary>
/// Changes a link's policy: the same path as <c>PUT /api/v1/links/{id}/spec</c> (validation with
/// <see cref="LinkSpecValidator"/>, a new generation, audit, push to the agent). Callers check the role;
/// implementations check it again.
/// </summary>
public interface IPolicyCommands
{
    /// <summary>
    /// Stores <paramref name="spec"/> as the next generation if the current one is still <paramref name="expectedGeneration"/>,
    /// with <paramref name="reason"/> (the editor's change note) as the revision's reason.
    /// </summary>
    Task<PolicyChangeResult> ChangeAsync(Guid linkId, LinkSpec spec, long expectedGeneration, string? reason, CancellationToken cancellationToken);
}

/// <summary>A link's desired spec, where its rollout stands, and its revisions (newest first).</summary>
public sealed record PolicyDocument(
    Guid LinkId,
    Guid HostId,
    string HostName,
    LinkSpec Spec,
    long Generation,
    long ObservedGeneration,
    LinkPhase Phase,
    string? LastError,
    IReadOnlyList<PolicyRevision> Revisions)
{
    /// <summary>When the rollout entered <see cref="Phase"/>.</summary>
    public DateTimeOffset? PhaseChangedAt { get; init; }

    /// <summary>The interfaces the host reported last (its inventory); null before its agent ever reported.</summary>
    public IReadOnlyList<InterfaceInventory>? HostInterfaces { get; init; }
}

/// <summary>One stored generation of a link's spec.</summary>
/// <param name="Author">Who stored it (user name or API key name).</param>
public sealed record PolicyRevision(long Generation, LinkSpec Spec, DateTimeOffset CreatedAt, string Author)
{
    /// <summary>Why it was stored: the change note, or the revert's own words.</summary>
    public string? Reason { get; init; }

    /// <summary>How its rollout ended; Pending until the agent reports.</summary>
    public PolicyOutcome Outcome { get; init; }

    /// <summary>The agent's words on the outcome (why it failed or rolled back).</summary>
    public string? OutcomeMessage { get; init; }

    /// <summary>When the outcome was recorded.</summary>
    public DateTimeOffset? OutcomeAt { get; init; }
}

/// <summary>Outcome of <see cref="IPolicyCommands.ChangeAsync"/>.</summary>
public abstract record PolicyChangeResult
{
    private PolicyChangeResult()
    {
    }

    /// <summary>Stored as <paramref name="Generation"/>; the rollout starts at Pending.</summary>
    public sealed record Accepted(long Generation) : PolicyChangeResult;

    /// <summary>The spec is invalid; nothing was stored.</summary>
    public sealed record Invalid(IReadOnlyList<ValidationError> Errors) : PolicyChangeResult;

    /// <summary>Someone stored another generation first; nothing was stored.</summary>
    public sealed record Conflict(long CurrentGeneration) : PolicyChangeResult;

    /// <summary>The caller may not change policies.</summary>
    public sealed record Forbidden : PolicyChangeResult;

    /// <summary>There is no such link.</summary>
    public sealed record NotFound : PolicyChangeResult;
}
