using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Queue;

/// <summary>The batch queue's log messages (events 200–207).</summary>
public sealed partial class DiskBatchQueue
{
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
}
