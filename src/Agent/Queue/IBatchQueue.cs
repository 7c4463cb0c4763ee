using Fleet.Contracts.Agents;

namespace Fleet.Agent.Queue;

/// <summary>
/// The agent's outbox of sample batches. A batch gets the next sequence number when it is enqueued and stays until the
/// Api acknowledges it; the queue is bounded and drops its oldest batches first, reporting each drop through
/// <see cref="Overflowed"/>.
/// </summary>
public interface IBatchQueue : IDisposable
{
    /// <summary>Raised (on the enqueuing thread) when batches were dropped to make room.</summary>
    event Action<QueueOverflow>? Overflowed;

    /// <summary>
    /// The queue's id, sent with every batch (<see cref="SampleBatch.QueueId"/>): new whenever the numbering starts at
    /// 1 again, so the Api never takes a batch of a new queue for one of an old queue with the same sequence.
    /// </summary>
    Guid Id { get; }

    /// <summary>The sequence the next enqueued batch gets.</summary>
    long NextSequence { get; }

    /// <summary>The oldest stored, unacknowledged sequence; <see cref="NextSequence"/> when nothing is pending.</summary>
    long FirstPending { get; }

    /// <summary>Counts for status output.</summary>
    BatchQueueStats Stats { get; }

    /// <summary>Stores a batch (durably, for the disk queue) and returns its sequence; <paramref name="striper"/> is the striper links' class samples and member states, if any.</summary>
    long Enqueue(IReadOnlyList<MemberSample> samples, IReadOnlyList<AgentEvent> events, StriperReport? striper = null);

    /// <summary>
    /// The batch with <paramref name="sequence"/> (carrying <see cref="Id"/>) when it is stored and unacknowledged, else
    /// null. A stored batch that cannot be read back is set aside and acknowledged (null too): it never pins the queue.
    /// </summary>
    SampleBatch? Read(long sequence);

    /// <summary>The Api stored (or had stored) the batch: it may be forgotten.</summary>
    void Acknowledge(long sequence);

    /// <summary>Completes when a batch with a sequence ≥ <paramref name="sequence"/> exists.</summary>
    Task WaitForSequenceAsync(long sequence, CancellationToken cancellationToken);
}

/// <summary>Batches dropped because the queue was full.</summary>
/// <param name="DroppedBatches">How many unacknowledged batches were dropped.</param>
/// <param name="FirstSequence">The first sequence dropped.</param>
/// <param name="LastSequence">The last sequence dropped.</param>
public sealed record QueueOverflow(long DroppedBatches, long FirstSequence, long LastSequence);

/// <summary>A snapshot of a queue's size.</summary>
/// <param name="PendingBatches">Unacknowledged batches stored.</param>
/// <param name="StoredBytes">Bytes used (disk queue) or an estimate (memory queue).</param>
/// <param name="CapacityBytes">The bound.</param>
/// <param name="DroppedBatches">Batches dropped for lack of room since the agent started.</param>
/// <param name="AcknowledgedThrough">Every sequence up to this one is acknowledged.</param>
/// <param name="QuarantinedBatches">Batches that could not be read back (corrupt, unknown format) and were set aside since the agent started.</param>
public sealed record BatchQueueStats(long PendingBatches, long StoredBytes, long CapacityBytes, long DroppedBatches, long AcknowledgedThrough, long QuarantinedBatches = 0);

/// <summary>Signals waiters when the queue grows (shared by both queue implementations).</summary>
internal sealed class QueueSignal
{
    private TaskCompletionSource _grown = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Current => Volatile.Read(ref _grown).Task;

    public void Pulse() => Interlocked.Exchange(ref _grown, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Returns once <paramref name="nextSequence"/> is past <paramref name="sequence"/>; the signal is read before the
    /// check, so a batch enqueued between the two still wakes the waiter.
    /// </summary>
    public async Task WaitForSequenceAsync(Func<long> nextSequence, long sequence, CancellationToken cancellationToken)
    {
        while (true)
        {
            var grown = Current;
            if (nextSequence() > sequence)
            {
                return;
            }

            await grown.WaitAsync(cancellationToken);
        }
    }
}

/// <summary>The one rule for a batch's striper part: a part with nothing in it is not sent.</summary>
internal static class StriperReports
{
    /// <summary><paramref name="report"/>, or null when it is null or empty.</summary>
    public static StriperReport? NullIfEmpty(StriperReport? report) =>
        report is null || (report.Classes.Count == 0 && report.MemberStates.Count == 0) ? null : report;
}
