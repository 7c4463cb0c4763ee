using System.Buffers.Binary;
using System.Globalization;
using Fleet.Agent.Storage;
using Fleet.Contracts.Agents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Fleet.Agent.Queue;

/// <summary>
/// The agent's on-disk outbox: an append-only log of segment files (<c>&lt;first sequence&gt;.seg</c>) plus a cursor
/// file with the acknowledgement watermark.
/// <list type="bullet">
/// <item>Each record is <c>magic u32 | payload length i32 | sequence i64 | crc32 u32 | payload</c>; the CRC covers the
/// sequence and the payload, so a torn write (power cut mid-append) or bit rot is detected when the queue is opened and
/// the log is truncated at the last whole record.</item>
/// <item>A batch is fsync'ed before <see cref="Enqueue"/> returns, and so before it is sent: after a crash the agent
/// never hands out a sequence number the Api may already have stored for other samples.</item>
/// <item>The cursor is replaced atomically and lazily (at most once per <see cref="DiskBatchQueueOptions.CursorInterval"/>):
/// losing its last update only resends batches the Api then recognises as duplicates. Segments are deleted only after
/// a cursor that covers them is durable.</item>
/// <item>The queue belongs to one host identity (<c>owner</c> file); a re-enrolled agent starts with an empty queue.</item>
/// <item>It has an id (<c>queue-id</c>), new whenever its numbering starts at 1 again (a lost or deleted queue), sent
/// with every batch: the Api keys batches by (host, queue, sequence), so a queue that starts over is never taken for a
/// resend of the old one (issue 21). A queue written before ids existed keeps the empty id, and so its batches' keys.</item>
/// <item>Appends write at the segment's known end (no buffered stream): a failed append (disk full, I/O error) is cut
/// off again, or, if even that fails, its segment is closed and the next append starts a new one; either way no later
/// record follows a torn one.</item>
/// <item>A record that cannot be read or decoded (bit rot, a format version this agent does not know) is copied to
/// <c>quarantine/</c>, counted, and acknowledged: it never pins the queue.</item>
/// </list>
/// </summary>
public sealed partial class DiskBatchQueue : IBatchQueue
{
    private const uint Magic = 0x31425146; // "FQB1"
    private const int HeaderBytes = 20;
    private const int MaxPayloadBytes = 64 * 1024 * 1024;
    private const string SegmentExtension = ".seg";
    private const string CursorFile = "cursor.json";
    private const string OwnerFile = "owner";
    private const string IdFile = "queue-id";
    private const string QuarantineDirectory = "quarantine";

    /// <summary>Most records kept in <c>quarantine/</c> (the oldest go first).</summary>
    private const int MaxQuarantined = 64;

    private readonly Lock _gate = new();
    private readonly string _directory;
    private readonly DiskBatchQueueOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<Segment> _segments = [];
    private readonly SortedSet<long> _ackedAbove = [];
    private readonly QueueSignal _signal = new();
    private SafeFileHandle? _writer;
    private Guid _id;
    private long _next;
    private long _ackedThrough;
    private long _totalBytes;
    private long _dropped;
    private long _quarantined;
    private bool _cursorDirty;
    private long _cursorWrittenAt;
    private bool _disposed;

    private DiskBatchQueue(string directory, DiskBatchQueueOptions options, TimeProvider time, ILogger logger)
    {
        _directory = directory;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public event Action<QueueOverflow>? Overflowed;

    /// <inheritdoc />
    public Guid Id
    {
        get
        {
            lock (_gate)
            {
                return _id;
            }
        }
    }

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
                return FindFirstPending();
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
                long pending = 0;
                foreach (var segment in _segments)
                {
                    pending += segment.Records.Count - segment.CountAtOrBelow(_ackedThrough);
                }

                return new BatchQueueStats(pending - _ackedAbove.Count, _totalBytes, _options.MaxBytes, _dropped, _ackedThrough, _quarantined);
            }
        }
    }

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
    public long Enqueue(IReadOnlyList<MemberSample> samples, IReadOnlyList<AgentEvent> events)
    {
        var payload = BatchCodec.Encode(samples, events);
        if (payload.Length > MaxPayloadBytes)
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
            var record = new byte[HeaderBytes + payload.Length];
            WriteHeader(record, sequence, payload);
            payload.CopyTo(record.AsSpan(HeaderBytes));

            var current = _segments.Count > 0 ? _segments[^1] : null;
            if (_writer is null || current is null || (current.Length > 0 && current.Length + record.Length > _options.SegmentBytes))
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
            if (_disposed || sequence <= _ackedThrough || _ackedAbove.Contains(sequence))
            {
                return null;
            }

            var segment = FindSegment(sequence);
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
            var buffer = new byte[HeaderBytes + position.PayloadLength];
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

            if (read != buffer.Length || !TryParseHeader(buffer, out var payloadLength, out var recordSequence) || payloadLength != position.PayloadLength || recordSequence != sequence || !CrcMatches(buffer, payloadLength))
            {
                Quarantine(sequence, buffer.AsSpan(0, Math.Max(0, read)), $"record {sequence} in {segment.Path} is unreadable (checksum or header wrong)");
                return null;
            }

            try
            {
                return BatchCodec.Decode(sequence, buffer.AsSpan(HeaderBytes)) with { QueueId = _id };
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
            if (_disposed || sequence <= _ackedThrough || sequence >= _next)
            {
                return;
            }

            MarkAcknowledged(sequence);
            FlushCursor(force: false);
        }
    }

    /// <inheritdoc />
    public async Task WaitForSequenceAsync(long sequence, CancellationToken cancellationToken)
    {
        while (true)
        {
            var grown = _signal.Current;
            if (NextSequence > sequence)
            {
                return;
            }

            await grown.WaitAsync(cancellationToken);
        }
    }

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
                LogCursorFailed(ex.Message);
            }

            _writer?.Dispose();
            foreach (var segment in _segments)
            {
                segment.ReadHandle?.Dispose();
            }

            _disposed = true;
        }
    }

    private void Recover(Guid owner)
    {
        CreateDirectory(_directory);
        var ownerPath = Path.Combine(_directory, OwnerFile);
        var recordedOwner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath).Trim() : null;
        if (!string.Equals(recordedOwner, owner.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            if (recordedOwner is not null)
            {
                LogOwnerChanged(recordedOwner, owner);
            }

            foreach (var file in Directory.EnumerateFiles(_directory))
            {
                File.Delete(file);
            }

            AtomicFile.Write(ownerPath, System.Text.Encoding.UTF8.GetBytes(owner.ToString()), AtomicFile.OwnerOnly);
        }

        var hadCursor = File.Exists(Path.Combine(_directory, CursorFile));
        var cursor = ReadCursor();
        _ackedThrough = cursor.AckedThrough;
        var next = Math.Max(cursor.NextSequence, cursor.AckedThrough + 1);

        var files = Directory.EnumerateFiles(_directory, "*" + SegmentExtension)
            .Select(path => (Path: path, First: ParseSegmentName(path)))
            .Where(file => file.First > 0)
            .OrderBy(file => file.First)
            .ToList();
        foreach (var (path, first) in files)
        {
            var segment = ScanSegment(path, first);
            if (segment.Records.Count > 0)
            {
                next = Math.Max(next, segment.Records[^1].Sequence + 1);
            }

            if (segment.Records.Count == 0 || segment.Records[^1].Sequence <= _ackedThrough)
            {
                // Fully acknowledged (the cursor that says so is on disk) or empty: reclaim it.
                File.Delete(path);
                continue;
            }

            _segments.Add(segment);
            _totalBytes += segment.Length;
        }

        _next = Math.Max(next, 1);
        _id = RecoverId(numberingContinues: hadCursor || _segments.Count > 0 || files.Count > 0);
        if (_segments.Count > 0 && _segments[^1].Length < _options.SegmentBytes)
        {
            _writer = File.OpenHandle(_segments[^1].Path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete);
        }

        AdvanceWatermark();
        LogRecovered(_directory, Stats.PendingBatches, _next, _id);
    }

    /// <summary>
    /// The queue's id: kept while its numbering continues; new (random) when it starts at 1, which is exactly when the
    /// Api must not take its batches for the old ones. A queue that continues but has no id file was written before ids
    /// existed: it keeps the empty id its batches were stored under.
    /// </summary>
    private Guid RecoverId(bool numberingContinues)
    {
        var path = Path.Combine(_directory, IdFile);
        if (numberingContinues)
        {
            if (File.Exists(path) && Guid.TryParse(File.ReadAllText(path).Trim(), out var kept))
            {
                return kept;
            }

            if (!File.Exists(path))
            {
                AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(Guid.Empty.ToString()), AtomicFile.OwnerOnly);
                return Guid.Empty;
            }

            // An unreadable id while batches continue: a new id could make the Api store resent batches twice, the
            // empty one at worst takes a new batch for an old one; neither is silent (logged).
            LogIdUnreadable(path);
            return Guid.Empty;
        }

        var id = Guid.NewGuid();
        AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(id.ToString()), AtomicFile.OwnerOnly);
        return id;
    }

    private Segment ScanSegment(string path, long first)
    {
        var segment = new Segment(path, first);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var length = RandomAccess.GetLength(handle);
        var header = new byte[HeaderBytes];
        long offset = 0;
        var previous = first - 1;
        while (offset < length)
        {
            if (length - offset < HeaderBytes
                || RandomAccess.Read(handle, header, offset) != HeaderBytes
                || !TryParseHeader(header, out var payloadLength, out var sequence)
                || payloadLength > length - offset - HeaderBytes
                || sequence <= previous)
            {
                break;
            }

            var record = new byte[HeaderBytes + payloadLength];
            if (RandomAccess.Read(handle, record, offset) != record.Length || !CrcMatches(record, payloadLength))
            {
                break;
            }

            segment.Records.Add(new RecordPosition(sequence, offset, payloadLength));
            previous = sequence;
            offset += record.Length;
        }

        if (offset < length)
        {
            // A torn or corrupt tail: everything after the last whole record is unusable.
            LogTruncated(path, length - offset, offset);
            RandomAccess.SetLength(handle, offset);
            RandomAccess.FlushToDisk(handle);
        }

        segment.Length = offset;
        return segment;
    }

    private Segment StartSegment(long firstSequence)
    {
        _writer?.Dispose();
        _writer = null;
        var path = Path.Combine(_directory, firstSequence.ToString("D19", CultureInfo.InvariantCulture) + SegmentExtension);
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read | FileShare.Delete };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = AtomicFile.OwnerOnly;
        }

        // Created with its mode by a stream, written through the handle at explicit offsets (see Append).
        new FileStream(path, create).Dispose();
        _writer = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete);
        var segment = new Segment(path, firstSequence);
        _segments.Add(segment);
        if (_options.SyncEachBatch)
        {
            DurableDirectory.Sync(_directory);
        }

        return segment;
    }

    /// <summary>
    /// Writes <paramref name="record"/> at <paramref name="offset"/>, the segment's known end, and syncs it. When that
    /// fails part-way (ENOSPC, EIO), what was written is cut off again so the next append lands on a record boundary;
    /// when even the cut fails, the segment is closed (recovery cuts its torn tail; no record follows it) and the next
    /// append starts a new segment. The exception goes to the caller: the batch was not queued.
    /// </summary>
    private void Append(Segment segment, byte[] record, long offset)
    {
        var writer = _writer!;
        try
        {
            RandomAccess.Write(writer, record, offset);
            if (_options.SyncEachBatch)
            {
                RandomAccess.FlushToDisk(writer);
            }
        }
        catch (IOException ex)
        {
            LogAppendFailed(segment.Path, offset, ex.Message);
            try
            {
                RandomAccess.SetLength(writer, offset);
            }
            catch (IOException)
            {
                CloseBrokenSegment(segment);
            }

            throw;
        }
    }

    private void CloseBrokenSegment(Segment segment)
    {
        _writer?.Dispose();
        _writer = null;
        if (segment.Records.Count == 0)
        {
            // Nothing but the torn record: the next segment may start with the same sequence, under the same name.
            RemoveSegment(segment);
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
                if (record.Sequence > _ackedThrough && !_ackedAbove.Contains(record.Sequence))
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
                _ackedThrough = Math.Max(_ackedThrough, oldest.Records[^1].Sequence);
                _ackedAbove.RemoveWhere(s => s <= _ackedThrough);
                _cursorDirty = true;
            }
        }

        if (dropped == 0)
        {
            return null;
        }

        _dropped += dropped;
        AdvanceWatermark();
        return new QueueOverflow(dropped, firstDropped, lastDropped);
    }

    private void RemoveSegment(Segment segment)
    {
        segment.ReadHandle?.Dispose();
        segment.ReadHandle = null;
        _segments.Remove(segment);
        _totalBytes -= segment.Length;
        File.Delete(segment.Path);
    }

    private void AdvanceWatermark()
    {
        var firstPending = FindFirstPending();
        if (firstPending - 1 > _ackedThrough)
        {
            _ackedThrough = firstPending - 1;
            _cursorDirty = true;
        }

        _ackedAbove.RemoveWhere(s => s <= _ackedThrough);
    }

    private long FindFirstPending()
    {
        foreach (var segment in _segments)
        {
            if (segment.Records.Count == 0 || segment.Records[^1].Sequence <= _ackedThrough)
            {
                continue;
            }

            for (var i = segment.CountAtOrBelow(_ackedThrough); i < segment.Records.Count; i++)
            {
                var sequence = segment.Records[i].Sequence;
                if (!_ackedAbove.Contains(sequence))
                {
                    return sequence;
                }
            }
        }

        return _next;
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

        AtomicFile.WriteJson(Path.Combine(_directory, CursorFile), new Cursor(_ackedThrough, _next), AtomicFile.OwnerOnly);
        _cursorWrittenAt = now;
        _cursorDirty = false;

        // Only now that a cursor covering them is durable may fully acknowledged segments go.
        for (var i = 0; i < _segments.Count; i++)
        {
            var segment = _segments[i];
            if (segment.Records.Count > 0 && segment.Records[^1].Sequence <= _ackedThrough)
            {
                if (i == _segments.Count - 1)
                {
                    _writer?.Dispose();
                    _writer = null;
                }

                RemoveSegment(segment);
                i--;
            }
        }
    }

    private Cursor ReadCursor()
    {
        try
        {
            return AtomicFile.ReadJson<Cursor>(Path.Combine(_directory, CursorFile)) ?? new Cursor(0, 1);
        }
        catch (System.Text.Json.JsonException ex)
        {
            // The cursor is replaced atomically, so this means outside interference; resending everything is safe.
            LogCursorFailed(ex.Message);
            return new Cursor(0, 1);
        }
    }

    private void MarkAcknowledged(long sequence)
    {
        _ackedAbove.Add(sequence);
        AdvanceWatermark();
        _cursorDirty = true;
    }

    /// <summary>
    /// Keeps the bytes of a record that cannot be sent in <c>quarantine/</c> (for a look by hand; the newest
    /// <see cref="MaxQuarantined"/>) and acknowledges it, so the queue moves on.
    /// </summary>
    private void Quarantine(long sequence, ReadOnlySpan<byte> bytes, string reason)
    {
        _quarantined++;
        LogQuarantined(sequence, reason);
        try
        {
            var directory = Path.Combine(_directory, QuarantineDirectory);
            CreateDirectory(directory);
            AtomicFile.Write(Path.Combine(directory, sequence.ToString("D19", CultureInfo.InvariantCulture) + ".rec"), bytes, AtomicFile.OwnerOnly, durable: false);
            var kept = Directory.GetFiles(directory, "*.rec").Order(StringComparer.Ordinal).ToList();
            foreach (var old in kept.Take(Math.Max(0, kept.Count - MaxQuarantined)))
            {
                File.Delete(old);
            }
        }
        catch (IOException ex)
        {
            LogQuarantineFailed(sequence, ex.Message);
        }

        MarkAcknowledged(sequence);
    }

    private Segment? FindSegment(long sequence)
    {
        Segment? found = null;
        foreach (var segment in _segments)
        {
            if (segment.First > sequence)
            {
                break;
            }

            found = segment;
        }

        return found;
    }

    private static void WriteHeader(Span<byte> record, long sequence, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(record, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], sequence);
        var crc = Crc32.Append(Crc32.Compute(record.Slice(8, 8)), payload);
        BinaryPrimitives.WriteUInt32LittleEndian(record[16..], crc);
    }

    private static bool TryParseHeader(ReadOnlySpan<byte> header, out int payloadLength, out long sequence)
    {
        payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        sequence = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        return BinaryPrimitives.ReadUInt32LittleEndian(header) == Magic && payloadLength is >= 0 and <= MaxPayloadBytes && sequence > 0;
    }

    private static bool CrcMatches(ReadOnlySpan<byte> record, int payloadLength)
    {
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        var actual = Crc32.Append(Crc32.Compute(record.Slice(8, 8)), record.Slice(HeaderBytes, payloadLength));
        return expected == actual;
    }

    private static long ParseSegmentName(string path) =>
        long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var first) ? first : 0;

    private static void CreateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Batch queue {Directory} opened: {Pending} unacknowledged batches, next sequence {Next}, queue {Id}")]
    private partial void LogRecovered(string directory, long pending, long next, Guid id);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Batch queue segment {Path}: dropped {Bytes} bytes of torn or corrupt records after offset {Offset}")]
    private partial void LogTruncated(string path, long bytes, long offset);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Batch queue full: dropped {Count} unacknowledged batches ({First}..{Last})")]
    private partial void LogOverflow(long count, long first, long last);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Batch queue: reading record {Sequence} failed: {Error}; it stays queued")]
    private partial void LogReadFailed(long sequence, string error);

    [LoggerMessage(EventId = 204, Level = LogLevel.Error, Message = "Batch queue: record {Sequence} cannot be sent ({Reason}); moved to quarantine/ and acknowledged")]
    private partial void LogQuarantined(long sequence, string reason);

    [LoggerMessage(EventId = 207, Level = LogLevel.Error, Message = "Batch queue: appending to {Path} at {Offset} failed: {Error}; the batch was not queued")]
    private partial void LogAppendFailed(string path, long offset, string error);

    [LoggerMessage(EventId = 208, Level = LogLevel.Warning, Message = "Batch queue: keeping quarantined record {Sequence} failed: {Error}")]
    private partial void LogQuarantineFailed(long sequence, string error);

    [LoggerMessage(EventId = 209, Level = LogLevel.Error, Message = "Batch queue: {Path} cannot be read; the queue keeps the empty id")]
    private partial void LogIdUnreadable(string path);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Batch queue cursor could not be read or written: {Error}")]
    private partial void LogCursorFailed(string error);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "Batch queue belonged to host {Previous}, now {Owner}: discarded")]
    private partial void LogOwnerChanged(string previous, Guid owner);

    private sealed record Cursor(long AckedThrough, long NextSequence);

    private readonly record struct RecordPosition(long Sequence, long Offset, int PayloadLength);

    private sealed class Segment(string path, long first)
    {
        public string Path { get; } = path;

        public long First { get; } = first;

        public long Length { get; set; }

        public List<RecordPosition> Records { get; } = [];

        public SafeFileHandle? ReadHandle { get; set; }

        /// <summary>How many records have a sequence ≤ <paramref name="sequence"/> (records are in increasing order).</summary>
        public int CountAtOrBelow(long sequence)
        {
            int low = 0, high = Records.Count;
            while (low < high)
            {
                var mid = (low + high) >>> 1;
                if (Records[mid].Sequence <= sequence)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            return low;
        }

        public int IndexOf(long sequence)
        {
            var index = CountAtOrBelow(sequence) - 1;
            return index >= 0 && Records[index].Sequence == sequence ? index : -1;
        }
    }
}
