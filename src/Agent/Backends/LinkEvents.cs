using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends;

/// <summary>Something a backend saw happen to a link's members (a member went down, traffic failed over).</summary>
/// <param name="Time">When the backend noticed it.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Severity">How much it matters.</param>
/// <param name="Member">The member concerned, if any.</param>
/// <param name="Message">Details for operators.</param>
public sealed record LinkEvent(DateTimeOffset Time, AgentEventKind Kind, EventSeverity Severity, string? Member, string Message);

/// <summary>
/// A backend that turns what it observes into events. The agent takes them after each observation and reports them
/// with the link's id (<see cref="AgentEvent"/>).
/// </summary>
public interface ILinkEventSource
{
    /// <summary>Events for the link named by <paramref name="applied"/> since the previous call, oldest first.</summary>
    IReadOnlyList<LinkEvent> TakeEvents(LinkSpec applied);
}

/// <summary>
/// Remembers each member's last health per link and queues an event when it changes, so every backend reports member
/// down/up/degraded the same way. Thread-safe; bounded per link.
/// </summary>
public sealed class MemberHealthTracker(TimeProvider timeProvider)
{
    private const int MaxQueuedEvents = 256;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, MemberHealth>> _health = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<LinkEvent>> _events = new(StringComparer.Ordinal);

    /// <summary>Records an observation of link <paramref name="link"/> and queues events for members whose health changed.</summary>
    public void Record(string link, IReadOnlyList<MemberObservation> members)
    {
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            if (!_health.TryGetValue(link, out var last))
            {
                last = new Dictionary<string, MemberHealth>(StringComparer.Ordinal);
                _health[link] = last;
            }

            foreach (var member in members)
            {
                last.TryGetValue(member.Interface, out var before);
                last[member.Interface] = member.Health;
                if (before == member.Health || member.Health == MemberHealth.Unknown)
                {
                    continue;
                }

                // The first observation of a healthy member is not news; a first observation of a sick one is.
                if (before == MemberHealth.Unknown && member.Health == MemberHealth.Up)
                {
                    continue;
                }

                var (kind, severity) = HealthEvent(member.Health);
                var detail = member.Detail is null ? "" : $": {member.Detail}";
                AddLocked(link, new LinkEvent(now, kind, severity, member.Interface, $"{member.Interface} is {member.Health.ToString().ToLowerInvariant()}{detail}"));
            }
        }
    }

    /// <summary>
    /// The event of a member turning <paramref name="health"/>: the one mapping of the backends' link events and the
    /// sampler's, so a member down is the same Error wherever it is seen.
    /// </summary>
    public static (AgentEventKind Kind, EventSeverity Severity) HealthEvent(MemberHealth health) => health switch
    {
        MemberHealth.Down => (AgentEventKind.MemberDown, EventSeverity.Error),
        MemberHealth.Degraded => (AgentEventKind.MemberDegraded, EventSeverity.Warning),
        MemberHealth.Up or MemberHealth.Unknown => (AgentEventKind.MemberUp, EventSeverity.Info),
        _ => throw new ArgumentOutOfRangeException(nameof(health), health, null),
    };

    /// <summary>Queues an event the backend detected itself (a failover, a subflow event).</summary>
    public void Add(string link, AgentEventKind kind, EventSeverity severity, string? member, string message)
    {
        lock (_lock)
        {
            AddLocked(link, new LinkEvent(timeProvider.GetUtcNow(), kind, severity, member, message));
        }
    }

    /// <summary>Takes the queued events of <paramref name="link"/>.</summary>
    public IReadOnlyList<LinkEvent> Take(string link)
    {
        lock (_lock)
        {
            if (!_events.Remove(link, out var events))
            {
                return [];
            }

            return events;
        }
    }

    /// <summary>Forgets a removed link.</summary>
    public void Forget(string link)
    {
        lock (_lock)
        {
            _health.Remove(link);
            _events.Remove(link);
        }
    }

    private void AddLocked(string link, LinkEvent linkEvent)
    {
        if (!_events.TryGetValue(link, out var events))
        {
            events = [];
            _events[link] = events;
        }

        if (events.Count >= MaxQueuedEvents)
        {
            events.RemoveAt(0);
        }

        events.Add(linkEvent);
    }
}
