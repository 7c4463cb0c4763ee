using Fleet.Contracts.Agents;

namespace Fleet.Web.Events;

/// <summary>
/// One line of an event list: an event, or a member's health changes within a few minutes folded into one line
/// ("eth2 flapped 7× in 3 min") so that a flapping member does not push everything else off the page.
/// </summary>
/// <param name="Newest">The event (or the group's newest): its time, host, link and member are the line's.</param>
/// <param name="Folded">The group's events, newest first; empty for a plain event.</param>
public sealed record EventLine(EventRow Newest, IReadOnlyList<EventRow> Folded)
{
    /// <summary>Whether this line folds a member's flaps.</summary>
    public bool IsFlap => Folded.Count > 0;

    /// <summary>How often the member went down in the group.</summary>
    public int Flaps => Folded.Count(e => e.Kind == FlapCollapse.Down);

    /// <summary>The worst severity among the folded events (the event's own for a plain line).</summary>
    public EventSeverity Severity => IsFlap ? Folded.Max(e => e.Severity) : Newest.Severity;

    /// <summary>From the group's oldest event to its newest.</summary>
    public TimeSpan Span => IsFlap ? Newest.Time - Folded[^1].Time : TimeSpan.Zero;
}

/// <summary>Folds a member's health changes (down, degraded, up) that follow each other within a window (docs/dashboard.md, "Events").</summary>
public static class FlapCollapse
{
    /// <summary>The kind of a member going down, as lists show it.</summary>
    public const string Down = "member_down";

    /// <summary>Health changes closer than this to the group's newest belong to the group.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    /// <summary>A group is folded from this many health changes on (two down-and-up cycles).</summary>
    public const int Minimum = 4;

    private static readonly HashSet<string> s_healthKinds = [Down, "member_up", "member_degraded"];

    /// <summary>The lines for <paramref name="events"/> (newest first), in the same order.</summary>
    public static IReadOnlyList<EventLine> Lines(IReadOnlyList<EventRow> events)
    {
        // First pass: each health change joins the open group of its member if within the window of that group's newest.
        var groupOf = new int[events.Count];
        var groups = new List<List<int>>();
        var open = new Dictionary<(Guid?, string), int>();
        for (var i = 0; i < events.Count; i++)
        {
            groupOf[i] = -1;
            var e = events[i];
            if (e.Member is null || !s_healthKinds.Contains(e.Kind))
            {
                continue;
            }

            var key = (e.LinkId, e.Member);
            if (!open.TryGetValue(key, out var g) || events[groups[g][0]].Time - e.Time > Window)
            {
                g = groups.Count;
                groups.Add([]);
                open[key] = g;
            }

            groups[g].Add(i);
            groupOf[i] = g;
        }

        // Second pass: a large group becomes one line where its newest event stood; the rest stay as they were.
        var lines = new List<EventLine>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var g = groupOf[i];
            if (g < 0 || groups[g].Count < Minimum)
            {
                lines.Add(new EventLine(events[i], []));
            }
            else if (groups[g][0] == i)
            {
                lines.Add(new EventLine(events[i], [.. groups[g].Select(j => events[j])]));
            }
        }

        return lines;
    }
}
