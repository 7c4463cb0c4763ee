using Fleet.Contracts.Agents;

namespace Fleet.Agent.Queue;

/// <summary>
/// A bounded batch queue in memory, for simulated agents (the simulator runs a thousand of them in one process, and
/// their "host" does not outlive the process anyway). Same semantics as <see cref="DiskBatchQueue"/> minus durability:
/// every instance is a new queue (a new <see cref="Id"/>), numbered from 1.
/// </summary>
public sealed class InMemoryBatchQueue(int maxBatches = 86_400) : IBatchQueue
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, SampleBatch> _pending = [];
    private readonly QueueSignal _signal = new();
    private long _next = 1;
    private long _dropped;
    private long _ackedThrough;

    /// <inheritdoc />
    public event Action<QueueOverflow>? Overflowed;

    /// <inheritdoc />
    public Guid Id { get; } = Guid.NewGuid();

    /// <inheritdoc />
    public long NextSequence
    {
        get
        {
            lock (_gate)
            {
                return _next;
            }
        }
    }

    /// <inheritdoc />
    public long FirstPending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count > 0 ? _pending.First().Key : _next;
            }
        }
    }

    /// <inheritdoc />
    public BatchQueueStats Stats
    {
        get
        {
            lock (_gate)
            {
                long bytes = 0;
                foreach (var batch in _pending.Values)
                {
                    bytes += 64 + (batch.Samples.Count * 128);
                }

                return new BatchQueueStats(_pending.Count, bytes, (long)maxBatches * 64, _dropped, _ackedThrough);
            }
        }
    }

    /// <inheritdoc />
    public long Enqueue(IReadOnlyList<MemberSample> samples, IReadOnlyList<AgentEvent> events, StriperReport? striper = null)
    {
        QueueOverflow? overflow = null;
        long sequence;
        lock (_gate)
        {
            sequence = _next++;
            _pending.Add(sequence, new SampleBatch { Sequence = sequence, QueueId = Id, Samples = samples, Events = events, Striper = StriperReports.NullIfEmpty(striper) });
            if (_pending.Count > maxBatches)
            {
                var oldest = _pending.First().Key;
                _pending.Remove(oldest);
                _dropped++;
                _ackedThrough = Math.Max(_ackedThrough, oldest);
                overflow = new QueueOverflow(1, oldest, oldest);
            }
        }

        _signal.Pulse();
        if (overflow is not null)
        {
            Overflowed?.Invoke(overflow);
        }

        return sequence;
    }

    /// <inheritdoc />
    public SampleBatch? Read(long sequence)
    {
        lock (_gate)
        {
            return _pending.GetValueOrDefault(sequence);
        }
    }

    /// <inheritdoc />
    public void Acknowledge(long sequence)
    {
        lock (_gate)
        {
            _pending.Remove(sequence);
            var firstPending = _pending.Count > 0 ? _pending.First().Key : _next;
            _ackedThrough = Math.Max(_ackedThrough, firstPending - 1);
        }
    }

    /// <inheritdoc />
    public Task WaitForSequenceAsync(long sequence, CancellationToken cancellationToken) =>
        _signal.WaitForSequenceAsync(() => NextSequence, sequence, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
