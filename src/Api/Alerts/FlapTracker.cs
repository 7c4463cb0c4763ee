using Fleet.Contracts.Links;

namespace Fleet.Api.Alerts;

/// <summary>
/// Counts each member's changes between down and up within a sliding window: a member that changes more than the
/// threshold is flapping, and raises one <c>member_flapping</c> alert instead of a pair per outage. Changes are seen at
/// the evaluation interval, so a member down and up again between two evaluations counts no change (docs/alerts.md).
/// Unknown health (no report yet) is no change.
/// </summary>
public sealed class FlapTracker(int threshold, TimeSpan window)
{
    private readonly Dictionary<(Guid Link, string Member), MemberFlaps> _members = [];

    /// <summary>Records <paramref name="health"/> seen at <paramref name="now"/>; true when the member is flapping.</summary>
    public bool Observe(Guid linkId, string member, MemberHealth health, DateTimeOffset now)
    {
        if (!_members.TryGetValue((linkId, member), out var flaps))
        {
            flaps = new MemberFlaps();
            _members[(linkId, member)] = flaps;
        }

        flaps.Seen = now;
        bool? down = health switch
        {
            MemberHealth.Down => true,
            MemberHealth.Up or MemberHealth.Degraded => false,
            MemberHealth.Unknown => null,
            _ => throw new ArgumentOutOfRangeException(nameof(health), health, "unknown health"),
        };
        if (down is { } isDown)
        {
            if (flaps.Down is { } was && was != isDown)
            {
                flaps.Changes.Enqueue(now);
            }

            flaps.Down = isDown;
        }

        while (flaps.Changes.TryPeek(out var oldest) && now - oldest > window)
        {
            flaps.Changes.Dequeue();
        }

        return flaps.Changes.Count > threshold;
    }

    /// <summary>Forgets members not observed since <paramref name="before"/> (deleted links, removed members).</summary>
    public void ForgetUnseen(DateTimeOffset before)
    {
        foreach (var (key, flaps) in _members.ToList())
        {
            if (flaps.Seen < before)
            {
                _members.Remove(key);
            }
        }
    }

    private sealed class MemberFlaps
    {
        public bool? Down { get; set; }

        public DateTimeOffset Seen { get; set; }

        public Queue<DateTimeOffset> Changes { get; } = new();
    }
}
