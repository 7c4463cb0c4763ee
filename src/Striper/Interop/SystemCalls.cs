namespace Fleet.Striper.Interop;

/// <summary>
/// The system calls the I/O loops make, retried on <see cref="Errno.EINTR"/> (signal(7): a signal can interrupt any
/// blocking call). Each returns the call's result, or -1 with the errno in its error out-parameter; expected failures
/// such as <see cref="Errno.EAGAIN"/> are results for the caller, never exceptions (docs/conventions.md, rule 12).
/// </summary>
internal static unsafe class SystemCalls
{
    public static nint Read(FileDescriptorHandle fd, byte* buffer, int count, out Errno error)
    {
        nint n;
        do
        {
            n = Libc.Read(fd, buffer, (nuint)count);
        }
        while (Interrupted(n, out error));
        return n;
    }

    public static nint Writev(FileDescriptorHandle fd, IoVec* iov, int count, out Errno error)
    {
        nint n;
        do
        {
            n = Libc.Writev(fd, iov, count);
        }
        while (Interrupted(n, out error));
        return n;
    }

    public static nint SendMsg(FileDescriptorHandle fd, MessageHeader* message, out Errno error)
    {
        nint n;
        do
        {
            n = Libc.SendMsg(fd, message, Native.MSG_DONTWAIT);
        }
        while (Interrupted(n, out error));
        return n;
    }

    public static int SendMmsg(FileDescriptorHandle fd, MultiMessageHeader* messages, int count, out Errno error)
    {
        int n;
        do
        {
            n = Libc.SendMmsg(fd, messages, (uint)count, Native.MSG_DONTWAIT);
        }
        while (Interrupted(n, out error));
        return n;
    }

    public static int RecvMmsg(FileDescriptorHandle fd, MultiMessageHeader* messages, int count, out Errno error)
    {
        int n;
        do
        {
            n = Libc.RecvMmsg(fd, messages, (uint)count, Native.MSG_DONTWAIT, null);
        }
        while (Interrupted(n, out error));
        return n;
    }

    public static int Fsync(FileDescriptorHandle fd, out Errno error)
    {
        int n;
        do
        {
            n = Libc.Fsync(fd);
        }
        while (Interrupted(n, out error));
        return n;
    }

    /// <summary>Waits for readiness; <paramref name="timeoutNanoseconds"/> &lt; 0 waits forever. EINTR counts as a wake-up.</summary>
    public static int Poll(PollFd* fds, int count, long timeoutNanoseconds)
    {
        TimeSpec timeout;
        TimeSpec* timeoutPointer = null;
        if (timeoutNanoseconds >= 0)
        {
            timeout.Seconds = timeoutNanoseconds / 1_000_000_000;
            timeout.Nanoseconds = timeoutNanoseconds % 1_000_000_000;
            timeoutPointer = &timeout;
        }

        var n = Libc.Ppoll(fds, (nuint)count, timeoutPointer, null);
        return n < 0 && LastError.Get() == Errno.EINTR ? 0 : n;
    }

    public static void SetInt(FileDescriptorHandle fd, int level, int name, int value, string what)
    {
        if (!TrySetInt(fd, level, name, value, out var error))
        {
            throw new NativeCallException($"setsockopt({what})", error);
        }
    }

    public static bool TrySetInt(FileDescriptorHandle fd, int level, int name, int value, out Errno error)
    {
        if (Libc.SetSockOpt(fd, level, name, &value, sizeof(int)) == 0)
        {
            error = Errno.None;
            return true;
        }

        error = LastError.Get();
        return false;
    }

    public static int GetInt(FileDescriptorHandle fd, int level, int name)
    {
        int value = 0;
        uint length = sizeof(int);
        return Libc.GetSockOpt(fd, level, name, &value, &length) == 0 ? value : -1;
    }

    /// <summary>
    /// The one EINTR rule: a call that returned <paramref name="result"/> is repeated when a signal interrupted it;
    /// otherwise <paramref name="error"/> is its errno (<see cref="Errno.None"/> on success).
    /// </summary>
    private static bool Interrupted(nint result, out Errno error)
    {
        if (result >= 0)
        {
            error = Errno.None;
            return false;
        }

        error = LastError.Get();
        return error == Errno.EINTR;
    }
}
