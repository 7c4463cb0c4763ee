using Fleet.Contracts.Agents;

namespace Fleet.Web.Overview;

/// <summary>
/// Which of a link's events its overview row (and its host page row) shows (issue 19): the worst within
/// <see cref="Window"/> — highest severity, the newest of those — so a member that went down ten minutes ago is not
/// hidden behind the "member_up" of another one a second ago; with nothing in the window, the newest event.
/// </summary>
public static class WorstRecentEvent
{
    /// <summary>How far back "recent" reaches (the live range of the link page's charts).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The event to show among <paramref name="candidates"/> at <paramref name="now"/>; null when there is none. The
    /// candidates must include the newest event and the newest of each severity within <see cref="Window"/> (a reader
    /// may pass no more than those).
    /// </summary>
    public static EventSummary? Pick(IEnumerable<EventSummary> candidates, DateTimeOffset now)
    {
        EventSummary? worstRecent = null;
        EventSummary? newest = null;
        var since = now - Window;
        foreach (var candidate in candidates)
        {
            if (newest is null || candidate.Time > newest.Time)
            {
                newest = candidate;
            }

            if (candidate.Time >= since && (worstRecent is null || Worse(candidate, worstRecent)))
            {
                worstRecent = candidate;
            }
        }

        return worstRecent ?? newest;
    }

    private static bool Worse(EventSummary candidate, EventSummary than)
    {
        var bySeverity = Rank(candidate.Severity).CompareTo(Rank(than.Severity));
        return bySeverity != 0 ? bySeverity > 0 : candidate.Time > than.Time;
    }

    private static int Rank(EventSeverity severity) => severity switch
    {
        EventSeverity.Info => 0,
        EventSeverity.Warning => 1,
        EventSeverity.Error => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "unknown severity"),
    };
}
