using Fleet.Contracts.Agents;

namespace Fleet.Agent.Events;

/// <summary>
/// Events waiting for the next batch. Bounded: if the agent cannot send for a long time and events pile up faster
/// than batches carry them, the oldest go and the next batch says how many.
/// </summary>
public sealed class AgentEventLog(TimeProvider time, int capacity = 10_000)
{
    private readonly Lock _gate = new();
    private readonly Queue<AgentEvent> _pending = new();
    private long _dropped;

    /// <summary>Events added since the agent started.</summary>
    public long Total { get; private set; }

    /// <summary>Adds an event stamped now.</summary>
    public void Add(AgentEventKind kind, EventSeverity severity, string message, Guid? linkId = null, string? member = null) =>
        Add(new AgentEvent { Time = time.GetUtcNow(), Kind = kind, Severity = severity, Message = message, LinkId = linkId, Member = member });

    /// <summary>Adds an event.</summary>
    public void Add(AgentEvent agentEvent)
    {
        lock (_gate)
        {
            Total++;
            _pending.Enqueue(agentEvent);
            while (_pending.Count > capacity)
            {
                _pending.Dequeue();
                _dropped++;
            }
        }
    }

    /// <summary>Takes every pending event (and a note about dropped ones) for the next batch.</summary>
    public IReadOnlyList<AgentEvent> Drain()
    {
        lock (_gate)
        {
            if (_pending.Count == 0 && _dropped == 0)
            {
                return [];
            }

            var events = new List<AgentEvent>(_pending.Count + 1);
            if (_dropped > 0)
            {
                events.Add(new AgentEvent
                {
                    Time = time.GetUtcNow(),
                    Kind = AgentEventKind.QueueOverflow,
                    Severity = EventSeverity.Warning,
                    Message = $"{_dropped} events were dropped because more than {capacity} were waiting to be sent",
                });
                _dropped = 0;
            }

            events.AddRange(_pending);
            _pending.Clear();
            return events;
        }
    }
}
