using Fleet.Striper.Interop;

namespace Fleet.Striper.Engine;

/// <summary>
/// Runs set-up code inside a network namespace (<c>setns(2)</c> on a dedicated thread, so the caller's own threads
/// are not moved). Sockets and TUN devices belong to the namespace they were created in and keep working from any
/// thread afterwards.
/// </summary>
public static class NetworkNamespace
{
    /// <summary>Runs <paramref name="action"/> in the namespace at <paramref name="path"/> (e.g. <c>/run/netns/NAME</c>), or here when null.</summary>
    public static T Run<T>(string? path, Func<T> action)
    {
        if (path is null)
        {
            return action();
        }

        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var fd = Libc.Open(path, Native.O_RDONLY | Native.O_CLOEXEC, 0);
                if (fd.IsInvalid)
                {
                    throw new NativeCallException($"open({path})", LastError.Get());
                }

                if (Libc.SetNs(fd, Native.CLONE_NEWNET) != 0)
                {
                    throw new NativeCallException($"setns({path})", LastError.Get());
                }

                result = action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = "striper-netns",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"set-up in network namespace {path} failed: {failure.Message}", failure);
        }

        return result;
    }
}
