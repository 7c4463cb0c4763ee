namespace Fleet.Agent.Queue;

/// <summary>
/// What of a disk queue is acknowledged: everything up to the watermark <see cref="Through"/> (what the cursor
/// records), and the batches above it acknowledged out of order, kept until the watermark passes them.
/// </summary>
internal sealed class QueueAcknowledgements
{
    private readonly SortedSet<long> _above = [];

    /// <summary>The watermark: every batch up to it is acknowledged.</summary>
    public long Through { get; private set; }

    public bool Contains(long sequence) => sequence <= Through || _above.Contains(sequence);

    /// <summary>Batches in <paramref name="segments"/> not yet acknowledged.</summary>
    public long Pending(IReadOnlyList<QueueSegment> segments)
    {
        long pending = 0;
        foreach (var segment in segments)
        {
            pending += segment.Records.Count - segment.CountAtOrBelow(Through);
        }

        return pending - _above.Count;
    }

    /// <summary>The oldest batch in <paramref name="segments"/> not acknowledged, or <paramref name="next"/> when there is none.</summary>
    public long FirstPending(IReadOnlyList<QueueSegment> segments, long next)
    {
        foreach (var segment in segments)
        {
            if (segment.Records.Count == 0 || segment.Records[^1].Sequence <= Through)
            {
                continue;
            }

            for (var i = segment.CountAtOrBelow(Through); i < segment.Records.Count; i++)
            {
                var sequence = segment.Records[i].Sequence;
                if (!_above.Contains(sequence))
                {
                    return sequence;
                }
            }
        }

        return next;
    }

    /// <summary>Starts from a recovered cursor's watermark.</summary>
    public void Restore(long through) => Through = through;

    /// <summary>Acknowledges <paramref name="sequence"/> and moves the watermark as far as it can.</summary>
    public void Add(long sequence, IReadOnlyList<QueueSegment> segments, long next)
    {
        _above.Add(sequence);
        Advance(segments, next);
    }

    /// <summary>Moves the watermark up to the batch before the first pending one; true when it moved.</summary>
    public bool Advance(IReadOnlyList<QueueSegment> segments, long next) => SkipThrough(FirstPending(segments, next) - 1);

    /// <summary>Moves the watermark to at least <paramref name="sequence"/> (batches dropped by overflow are never acknowledged); true when it moved.</summary>
    public bool SkipThrough(long sequence)
    {
        var moved = sequence > Through;
        Through = Math.Max(Through, sequence);
        _above.RemoveWhere(s => s <= Through);
        return moved;
    }
}
