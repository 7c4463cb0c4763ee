using System.Globalization;
using Fleet.Agent.Storage;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Queue;

/// <summary>The acknowledgement cursor of the disk queue, replaced atomically: batches below and at <c>AckedThrough</c> are done.</summary>
internal sealed record QueueCursor(long AckedThrough, long NextSequence)
{
    public static readonly QueueCursor Empty = new(0, 1);
}

/// <summary>
/// The small files of a disk queue's directory beside its segments (see <see cref="DiskBatchQueue"/>): the owner (the
/// host identity the queue belongs to), the queue id, the cursor, and <c>quarantine/</c>, where records that cannot be
/// sent are kept for a look by hand.
/// </summary>
internal sealed partial class QueueFiles(string directory, ILogger logger)
{
    private const string SegmentExtension = ".seg";
    private const string CursorFile = "cursor.json";
    private const string OwnerFile = "owner";
    private const string IdFile = "queue-id";
    private const string QuarantineDirectory = "quarantine";

    /// <summary>Most records kept in <c>quarantine/</c> (the oldest go first).</summary>
    private const int MaxQuarantined = 64;

    public bool HasCursor => File.Exists(Path.Combine(directory, CursorFile));

    /// <summary>Creates the directory; when it belonged to another host identity, empties it first (a re-enrolled agent starts anew).</summary>
    public void ClaimFor(Guid owner)
    {
        CreateDirectory(directory);
        var ownerPath = Path.Combine(directory, OwnerFile);
        var recordedOwner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath).Trim() : null;
        if (string.Equals(recordedOwner, owner.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (recordedOwner is not null)
        {
            LogOwnerChanged(recordedOwner, owner);
        }

        foreach (var file in Directory.EnumerateFiles(directory))
        {
            File.Delete(file);
        }

        AtomicFile.Write(ownerPath, System.Text.Encoding.UTF8.GetBytes(owner.ToString()), AtomicFile.OwnerOnly);
    }

    public QueueCursor ReadCursor()
    {
        try
        {
            return AtomicFile.ReadJson<QueueCursor>(Path.Combine(directory, CursorFile)) ?? QueueCursor.Empty;
        }
        catch (System.Text.Json.JsonException ex)
        {
            // The cursor is replaced atomically, so this means outside interference; resending everything is safe.
            LogCursorFailed(ex.Message);
            return QueueCursor.Empty;
        }
    }

    public void WriteCursor(QueueCursor cursor) => AtomicFile.WriteJson(Path.Combine(directory, CursorFile), cursor, AtomicFile.OwnerOnly);

    /// <summary>
    /// The queue's id: kept while its numbering continues; new (random) when it starts at 1, which is exactly when the
    /// Api must not take its batches for the old ones. A queue that continues but has no id file was written before ids
    /// existed: it keeps the empty id its batches were stored under.
    /// </summary>
    public Guid RecoverId(bool numberingContinues)
    {
        var path = Path.Combine(directory, IdFile);
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

    /// <summary>The segment files, by their first sequence, oldest first.</summary>
    public List<(string Path, long First)> Segments() =>
        [.. Directory.EnumerateFiles(directory, "*" + SegmentExtension)
            .Select(path => (Path: path, First: ParseSegmentName(path)))
            .Where(file => file.First > 0)
            .OrderBy(file => file.First)];

    public string SegmentPath(long first) => Path.Combine(directory, first.ToString("D19", CultureInfo.InvariantCulture) + SegmentExtension);

    /// <summary>Keeps the bytes of record <paramref name="sequence"/> in <c>quarantine/</c> (the newest <see cref="MaxQuarantined"/>); a failure is logged, never thrown.</summary>
    public void Quarantine(long sequence, ReadOnlySpan<byte> bytes)
    {
        try
        {
            var quarantine = Path.Combine(directory, QuarantineDirectory);
            CreateDirectory(quarantine);
            AtomicFile.Write(Path.Combine(quarantine, sequence.ToString("D19", CultureInfo.InvariantCulture) + ".rec"), bytes, AtomicFile.OwnerOnly, durable: false);
            var kept = Directory.GetFiles(quarantine, "*.rec").Order(StringComparer.Ordinal).ToList();
            foreach (var old in kept.Take(Math.Max(0, kept.Count - MaxQuarantined)))
            {
                File.Delete(old);
            }
        }
        catch (IOException ex)
        {
            LogQuarantineFailed(sequence, ex.Message);
        }
    }

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "Batch queue cursor could not be read or written: {Error}")]
    public partial void LogCursorFailed(string error);

    private static long ParseSegmentName(string path) =>
        long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var first) ? first : 0;

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "Batch queue belonged to host {Previous}, now {Owner}: discarded")]
    private partial void LogOwnerChanged(string previous, Guid owner);

    [LoggerMessage(EventId = 208, Level = LogLevel.Warning, Message = "Batch queue: keeping quarantined record {Sequence} failed: {Error}")]
    private partial void LogQuarantineFailed(long sequence, string error);

    [LoggerMessage(EventId = 209, Level = LogLevel.Error, Message = "Batch queue: {Path} cannot be read; the queue keeps the empty id")]
    private partial void LogIdUnreadable(string path);
}
