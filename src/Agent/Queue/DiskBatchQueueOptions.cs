namespace Fleet.Agent.Queue;

/// <summary>Bounds and durability of the on-disk batch queue.</summary>
public sealed class DiskBatchQueueOptions
{
    /// <summary>
    /// Most bytes the queue may use. The default (256 MiB) holds about 3 days of a host with 16 members sampled at 1 Hz
    /// (a 16-sample batch encodes to about 1 KB), well over the required 24 h.
    /// </summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>fsync every appended batch before it is sent (so a sequence number is never reused after a crash).</summary>
    public bool SyncEachBatch { get; set; } = true;

    /// <summary>How often, at most, the acknowledgement cursor is persisted (a lost cursor only causes resends that the Api deduplicates).</summary>
    public TimeSpan CursorInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Segment size: a 32nd of the bound, at least 4 KiB, so an overflow drops a small slice of the oldest data.</summary>
    internal long SegmentBytes => Math.Max(4096, MaxBytes / 32);
}
