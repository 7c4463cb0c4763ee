using Fleet.Contracts.Agents;

namespace Fleet.Web.Events;

/// <summary>Reads the event log (agent events and the Api's own, such as policy changes).</summary>
public interface IEventQuery
{
    /// <summary>Events matching <paramref name="filter"/>, newest first.</summary>
    Task<EventPage> GetEventsAsync(EventFilter filter, CancellationToken cancellationToken);

    /// <summary>The kinds of event in the log, for the filter's choices.</summary>
    Task<IReadOnlyList<string>> GetKindsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What is wrong now, as events: for each member that is Down or Degraded and each link whose last change failed,
    /// was rolled back or drifted, the newest event that opened that problem; worst first, then newest. Narrowed to a
    /// host or a link when given.
    /// </summary>
    Task<IReadOnlyList<EventRow>> GetOpenProblemsAsync(Guid? hostId, Guid? linkId, CancellationToken cancellationToken);
}

/// <summary>What the operator narrowed the event list to.</summary>
/// <param name="MinimumSeverity">Only events at least this severe.</param>
/// <param name="Kind">Only events of this kind (e.g. <c>member_down</c>).</param>
/// <param name="Search">Part of the message, host, link or member name (case-insensitive).</param>
/// <param name="Before">Cursor: only events older than the event with this id (ids are time-ordered).</param>
/// <param name="Limit">Most events to return.</param>
/// <param name="From">Only events at or after this time.</param>
public sealed record EventFilter(
    Guid? HostId,
    Guid? LinkId,
    EventSeverity? MinimumSeverity,
    string? Kind,
    string? Search,
    Guid? Before,
    int Limit,
    DateTimeOffset? From = null)
{
    /// <summary>Events per page.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The newest events of the whole fleet.</summary>
    public static EventFilter Default { get; } = new(null, null, null, null, null, null, DefaultLimit);
}

/// <summary>One page of events and the cursor of the next (older) page.</summary>
public sealed record EventPage(IReadOnlyList<EventRow> Events, Guid? NextBefore);

/// <summary>One event as lists show it.</summary>
/// <param name="Kind">snake_case kind, e.g. <c>member_down</c> or <c>policy_changed</c>.</param>
public sealed record EventRow(
    Guid Id,
    DateTimeOffset Time,
    EventSeverity Severity,
    string Kind,
    Guid? HostId,
    string? HostName,
    Guid? LinkId,
    string? LinkName,
    string? Member,
    string Message);
