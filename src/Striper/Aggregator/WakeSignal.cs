using Fleet.Striper.Interop;

namespace Fleet.Striper.Aggregator;

/// <summary>An eventfd one worker polls beside its device or socket, so a change of sites or a stop wakes it at once.</summary>
internal sealed unsafe class WakeSignal : IDisposable
{
    public WakeSignal()
    {
        Fd = Libc.EventFd(0, Native.EFD_NONBLOCK | Native.EFD_CLOEXEC);
        if (Fd.IsInvalid)
        {
            throw new NativeCallException("eventfd", LastError.Get());
        }
    }

    public FileDescriptorHandle Fd { get; }

    public void Set()
    {
        ulong one = 1;
        Libc.Write(Fd, &one, sizeof(ulong));
    }

    public void Clear()
    {
        ulong value;
        SystemCalls.Read(Fd, (byte*)&value, sizeof(ulong), out _);
    }

    public void Dispose() => Fd.Dispose();
}
