using Fleet.Striper.Interop;

namespace Fleet.Agent.Storage;

/// <summary>
/// Makes directory entries durable. A rename or a new file is only on disk once its directory is fsync'ed
/// (fsync(2): "calling fsync() on the file does not necessarily ensure that the entry in the directory containing the
/// file has also reached disk").
/// </summary>
internal static class DurableDirectory
{
    /// <summary>Flushes <paramref name="directory"/>'s entries to disk; retries on EINTR; a failure is an <see cref="IOException"/>.</summary>
    public static void Sync(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var handle = Libc.Open(directory, Native.O_RDONLY | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
        if (handle.IsInvalid)
        {
            throw new IOException($"cannot open directory {directory}: errno {LastError.Get()}");
        }

        if (SystemCalls.Fsync(handle, out var errno) == 0)
        {
            return;
        }

        // Some file systems (e.g. tmpfs in old kernels) refuse fsync on directories; their entries are as durable as they get.
        if (errno == Errno.EINVAL)
        {
            return;
        }

        throw new IOException($"fsync of directory {directory} failed: errno {errno}");
    }
}
