using Fleet.Agent.Storage;
using Microsoft.Win32.SafeHandles;

namespace Fleet.Agent.Queue;

/// <summary>
/// The disk queue's one open segment for appending. Appends write at the segment's known end through a handle (no
/// buffered stream), so a failed append can be cut off again and no later record follows a torn one.
/// </summary>
internal sealed class SegmentWriter(string directory, bool syncEachRecord) : IDisposable
{
    private SafeFileHandle? _handle;

    /// <summary>Whether a segment is open for appending (none after a failure that could not be cut off).</summary>
    public bool IsOpen => _handle is not null;

    /// <summary>Appends to an existing segment file (recovery).</summary>
    public void Open(string path)
    {
        Dispose();
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete);
    }

    /// <summary>Creates the segment file at <paramref name="path"/> (owner-only) and appends to it from now on.</summary>
    public void Create(string path)
    {
        Dispose();
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read | FileShare.Delete };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = AtomicFile.OwnerOnly;
        }

        // Created with its mode by a stream, written through the handle at explicit offsets (see Append).
        new FileStream(path, create).Dispose();
        Open(path);
        if (syncEachRecord)
        {
            DurableDirectory.Sync(directory);
        }
    }

    /// <summary>
    /// Writes <paramref name="record"/> at <paramref name="offset"/>, the segment's known end, and syncs it. When that
    /// fails part-way (ENOSPC, EIO), what was written is cut off again so the next append lands on a record boundary;
    /// when even the cut fails, the segment is closed (<see cref="IsOpen"/> false: recovery cuts its torn tail, and the
    /// next append starts a new segment). The exception goes to the caller: the record was not written.
    /// </summary>
    public void Append(byte[] record, long offset)
    {
        var handle = _handle ?? throw new InvalidOperationException("no segment is open for appending");
        try
        {
            RandomAccess.Write(handle, record, offset);
            if (syncEachRecord)
            {
                RandomAccess.FlushToDisk(handle);
            }
        }
        catch (IOException)
        {
            try
            {
                RandomAccess.SetLength(handle, offset);
            }
            catch (IOException)
            {
                Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
    }
}
