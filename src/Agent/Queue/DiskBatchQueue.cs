using Fleet.Contracts.Agents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Queue;

/// <summary>
/// The agent's on-disk outbox: an append-only log of segment files (<c>&lt;first sequence&gt;.seg</c>) plus a cursor
/// file with the acknowledgement watermark.
/// <list type="bullet">
/// <item>Each record is a <see cref="QueueRecord"/> with a CRC, so a torn write (power cut mid-append) or bit rot is
/// detected when the queue is opened and the segment is cut at the last whole record (<see cref="QueueSegment.Scan"/>).</item>
/// <item>A batch is fsync'ed before <see cref="Enqueue"/> returns, and so before it is sent: after a crash the agent
/// never hands out a sequence number the Api may already have stored for other samples.</item>
/// <item>The cursor is replaced atomically and lazily (at most once per <see cref="DiskBatchQueueOptions.CursorInterval"/>):
/// losing its last update only resends batches the Api then recognises as duplicates. Segments are deleted only after
/// a cursor that covers them is durable.</item>
/// <item>The queue belongs to one host identity; a re-enrolled agent starts with an empty queue (<see cref="QueueFiles"/>).</item>
/// <item>It has an id (<c>queue-id</c>), new whenever its numbering starts at 1 again (a lost or deleted queue), sent
/// with every batch: the Api keys batches by (host, queue, sequence), so a queue that starts over is never taken for a
/// resend of the old one (issue 21). A queue written before ids existed keeps the empty id, and so its batches' keys.</item>
/// <item>A failed append (disk full, I/O error) is cut off again or closes its segment (<see cref="SegmentWriter"/>): no
/// later record follows a torn one.</item>
/// <item>A record that cannot be read or decoded (bit rot, a format version this agent does not know) is copied to
/// <c>quarantine/</c>, counted, and acknowledged: it never pins the queue.</item>
/// </list>
/// </summary>
public sealed partial class DiskBatchQueue : IBatchQueue
{
    private readonly Lock _gate = new();
    private readonly string _directory;
    private readonly QueueFiles _files;
    private readonly DiskBatchQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<QueueSegment> _segments = [];
    private readonly QueueAcknowledgements _acked = new();
    private readonly QueueSignal _signal = new();
    private readonly SegmentWriter _writer;
    private long _next;
    private long _totalBytes;
    private long _dropped;
    private long _quarantined;
    private bool _cursorDirty;
    private long _cursorWrittenAt;
    private bool _disposed;

    private DiskBatchQueue(string directory, DiskBatchQueueOptions options, TimeProvider time, ILogger logger)
    {
        _directory = directory;
        _files = new QueueFiles(directory, logger);
        _options = options;
        _writer = new SegmentWriter(directory, options.SyncEachBatch);
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public event Action<QueueOverflow>? Overflowed;

    /// <inheritdoc />
    /// <remarks>Set once while the queue is opened, before anyone else can see it.</remarks>
    public Guid Id { get; private set; }

    /// <inheritdoc />
    public long NextSequence => Locked(() => _next);

    /// <inheritdoc />
    public long FirstPending => Locked(() => _acked.FirstPending(_segments, _next));

    /// <inheritdoc />
    public BatchQueueStats Stats => Locked(() => new BatchQueueStats(_acked.Pending(_segments), _totalBytes, _options.MaxBytes, _dropped, _acked.Through, _quarantined));

    /// <summary>
    /// Opens (or creates) the queue in <paramref name="directory"/> for host <paramref name="owner"/>, recovering from torn
    /// writes. Batches of another owner are discarded.
    /// </summary>
    public static DiskBatchQueue Open(string directory, Guid owner, DiskBatchQueueOptions? options = null, TimeProvider? time = null, ILogger<DiskBatchQueue>? logger = null)
    {
        var queue = new DiskBatchQueue(directory, options ?? new DiskBatchQueueOptions(), time ?? TimeProvider.System, (ILogger?)logger ?? NullLogger.Instance);
        queue.Recover(owner);
        return queue;
    }

    /// <inheritdoc />
    public long Enqueue(IReadOnlyList<MemberSample> samples, IReadOnlyList<AgentEvent> events, StriperReport? striper = null)
    {
        var payload = BatchCodec.Encode(samples, events, striper);
        if (payload.Length > QueueRecord.MaxPayloadBytes)
        {
            throw new ArgumentException($"a batch of {payload.Length} bytes exceeds the queue's record limit", nameof(samples));
        }

        QueueOverflow? overflow;
        long sequence;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            FlushCursor(force: false);
            sequence = _next;
            var record = QueueRecord.Create(sequence, payload);

            var current = _segments.Count > 0 ? _segments[^1] : null;
            if (!_writer.IsOpen || current is null || (current.Length > 0 && current.Length + record.Length > _options.SegmentBytes))
            {
                current = StartSegment(sequence);
            }

            overflow = MakeRoom(record.Length);
            var offset = current.Length;
            Append(current, record, offset);
            current.Records.Add(new RecordPosition(sequence, offset, payload.Length));
            current.Length += record.Length;
            _totalBytes += record.Length;
            _next = sequence + 1;
        }

        _signal.Pulse();
        if (overflow is not null)
        {
            LogOverflow(overflow.DroppedBatches, overflow.FirstSequence, overflow.LastSequence);
            Overflowed?.Invoke(overflow);
        }

        return sequence;
    }

    /// <inheritdoc />
    public SampleBatch? Read(long sequence)
    {
        lock (_gate)
        {
            if (_disposed || _acked.Contains(sequence))
            {
                return null;
            }

            var segment = QueueSegment.Find(_segments, sequence);
            if (segment is null)
            {
                return null;
            }

            var index = segment.IndexOf(sequence);
            if (index < 0)
            {
                return null;
            }

            var position = segment.Records[index];
            var buffer = new byte[QueueRecord.HeaderBytes + position.PayloadLength];
            int read;
            try
            {
                segment.ReadHandle ??= File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                read = RandomAccess.Read(segment.ReadHandle, buffer, position.Offset);
            }
            catch (IOException ex)
            {
                // The disk failed us now; it may not later: the record stays queued.
                LogReadFailed(sequence, ex.Message);
                return null;
            }

            if (!QueueRecord.IsIntact(buffer, read, sequence, position.PayloadLength))
            {
                Quarantine(sequence, buffer.AsSpan(0, Math.Max(0, read)), $"record {sequence} in {segment.Path} is unreadable (checksum or header wrong)");
                return null;
            }

            try
            {
                return BatchCodec.Decode(sequence, buffer.AsSpan(QueueRecord.HeaderBytes)) with { QueueId = Id };
            }
            catch (InvalidDataException ex)
            {
                Quarantine(sequence, buffer, ex.Message);
                return null;
            }
        }
    }

    /// <inheritdoc />
    public void Acknowledge(long sequence)
    {
        lock (_gate)
        {
            if (_disposed || sequence <= _acked.Through || sequence >= _next)
            {
                return;
            }

            MarkAcknowledged(sequence);
            FlushCursor(force: false);
        }
    }

    /// <inheritdoc />
    public Task WaitForSequenceAsync(long sequence, CancellationToken cancellationToken) =>
        _signal.WaitForSequenceAsync(() => NextSequence, sequence, cancellationToken);

    /// <summary>Persists the cursor and closes the files.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                FlushCursor(force: true);
            }
            catch (IOException ex)
            {
                _files.LogCursorFailed(ex.Message);
            }

            _writer.Dispose();
            foreach (var segment in _segments)
            {
                segment.ReadHandle?.Dispose();
            }

            _disposed = true;
        }
    }

    private QueueSegment StartSegment(long firstSequence)
    {
        var segment = new QueueSegment(_files.SegmentPath(firstSequence), firstSequence);
        _writer.Create(segment.Path);
        _segments.Add(segment);
        return segment;
    }

    private void Append(QueueSegment segment, byte[] record, long offset)
    {
        try
        {
            _writer.Append(record, offset);
        }
        catch (IOException ex)
        {
            LogAppendFailed(segment.Path, offset, ex.Message);
            if (!_writer.IsOpen && segment.Records.Count == 0)
            {
                // Nothing but the torn record: the next segment may start with the same sequence, under the same name.
                RemoveSegment(segment);
            }

            throw;
        }
    }

    private QueueOverflow? MakeRoom(int recordBytes)
    {
        long dropped = 0;
        long firstDropped = 0;
        long lastDropped = 0;
        while (_totalBytes + recordBytes > _options.MaxBytes && _segments.Count > 1)
        {
            var oldest = _segments[0];
            foreach (var record in oldest.Records)
            {
                if (!_acked.Contains(record.Sequence))
                {
                    dropped++;
                    firstDropped = firstDropped == 0 ? record.Sequence : firstDropped;
                    lastDropped = record.Sequence;
                }
            }

            RemoveSegment(oldest);
            if (oldest.Records.Count > 0)
            {
                // Dropped batches will never be acknowledged: the watermark moves past them.
                _acked.SkipThrough(oldest.Records[^1].Sequence);
                _cursorDirty = true;
            }
        }

        if (dropped == 0)
        {
            return null;
        }

        _dropped += dropped;
        _cursorDirty |= _acked.Advance(_segments, _next);
        return new QueueOverflow(dropped, firstDropped, lastDropped);
    }

    private void RemoveSegment(QueueSegment segment)
    {
        segment.ReadHandle?.Dispose();
        segment.ReadHandle = null;
        _segments.Remove(segment);
        _totalBytes -= segment.Length;
        File.Delete(segment.Path);
    }

    private void FlushCursor(bool force)
    {
        if (!_cursorDirty && !force)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (!force && _cursorWrittenAt != 0 && _time.GetElapsedTime(_cursorWrittenAt, now) < _options.CursorInterval)
        {
            return;
        }

        _files.WriteCursor(new QueueCursor(_acked.Through, _next));
        _cursorWrittenAt = now;
        _cursorDirty = false;

        // Only now that a cursor covering them is durable may fully acknowledged segments go.
        for (var i = 0; i < _segments.Count; i++)
        {
            var segment = _segments[i];
            if (segment.Records.Count > 0 && segment.Records[^1].Sequence <= _acked.Through)
            {
                if (i == _segments.Count - 1)
                {
                    _writer.Dispose();
                }

                RemoveSegment(segment);
                i--;
            }
        }
    }

    private void MarkAcknowledged(long sequence)
    {
        _acked.Add(sequence, _segments, _next);
        _cursorDirty = true;
    }

    /// <summary>
    /// Keeps the bytes of a record that cannot be sent in <c>quarantine/</c> (for a look by hand) and acknowledges it,
    /// so the queue moves on.
    /// </summary>
    private void Quarantine(long sequence, ReadOnlySpan<byte> bytes, string reason)
    {
        _quarantined++;
        LogQuarantined(sequence, reason);
        _files.Quarantine(sequence, bytes);
        MarkAcknowledged(sequence);
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }
}
