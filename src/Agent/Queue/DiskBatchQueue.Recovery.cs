namespace Fleet.Agent.Queue;

/// <summary>
/// Opening the queue after a start or a crash: the cursor read, each segment scanned and cut at its last whole record,
/// fully acknowledged segments reclaimed, the numbering and the queue's id carried on (docs/agent.md).
/// </summary>
public sealed partial class DiskBatchQueue
{
    private void Recover(Guid owner)
    {
        _files.ClaimFor(owner);
        var hadCursor = _files.HasCursor;
        var cursor = _files.ReadCursor();
        _acked.Restore(cursor.AckedThrough);
        var next = Math.Max(cursor.NextSequence, cursor.AckedThrough + 1);

        var files = _files.Segments();
        foreach (var (path, first) in files)
        {
            var segment = QueueSegment.Scan(path, first, out var truncated);
            if (truncated > 0)
            {
                LogTruncated(path, truncated, segment.Length);
            }

            if (segment.Records.Count > 0)
            {
                next = Math.Max(next, segment.Records[^1].Sequence + 1);
            }

            if (segment.Records.Count == 0 || segment.Records[^1].Sequence <= _acked.Through)
            {
                // Fully acknowledged (the cursor that says so is on disk) or empty: reclaim it.
                File.Delete(path);
                continue;
            }

            _segments.Add(segment);
            _totalBytes += segment.Length;
        }

        _next = Math.Max(next, 1);
        Id = _files.RecoverId(numberingContinues: hadCursor || _segments.Count > 0 || files.Count > 0);
        if (_segments.Count > 0 && _segments[^1].Length < _options.SegmentBytes)
        {
            _writer.Open(_segments[^1].Path);
        }

        _cursorDirty |= _acked.Advance(_segments, _next);
        LogRecovered(_directory, _acked.Pending(_segments), _next, Id);
    }
}
