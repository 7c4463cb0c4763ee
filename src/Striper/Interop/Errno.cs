namespace Fleet.Striper.Interop;

/// <summary>The Linux errno values the striper acts on (<c>errno(3)</c>, asm-generic/errno*.h).</summary>
public enum Errno
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>Operation not permitted.</summary>
    EPERM = 1,

    /// <summary>No such file or directory.</summary>
    ENOENT = 2,

    /// <summary>Interrupted system call.</summary>
    EINTR = 4,

    /// <summary>I/O error.</summary>
    EIO = 5,

    /// <summary>No such device or address.</summary>
    ENXIO = 6,

    /// <summary>Bad file descriptor.</summary>
    EBADF = 9,

    /// <summary>Try again (non-blocking descriptor has nothing to do).</summary>
    EAGAIN = 11,

    /// <summary>Out of memory.</summary>
    ENOMEM = 12,

    /// <summary>Permission denied.</summary>
    EACCES = 13,

    /// <summary>Device or resource busy.</summary>
    EBUSY = 16,

    /// <summary>No such device.</summary>
    ENODEV = 19,

    /// <summary>Not a directory.</summary>
    ENOTDIR = 20,

    /// <summary>Invalid argument.</summary>
    EINVAL = 22,

    /// <summary>Message too long (datagram larger than the path MTU).</summary>
    EMSGSIZE = 90,

    /// <summary>Protocol not available (unknown socket option).</summary>
    ENOPROTOOPT = 92,

    /// <summary>Operation not supported.</summary>
    EOPNOTSUPP = 95,

    /// <summary>Address family not supported.</summary>
    EAFNOSUPPORT = 97,

    /// <summary>Address already in use.</summary>
    EADDRINUSE = 98,

    /// <summary>Cannot assign requested address.</summary>
    EADDRNOTAVAIL = 99,

    /// <summary>Network is down.</summary>
    ENETDOWN = 100,

    /// <summary>Network is unreachable.</summary>
    ENETUNREACH = 101,

    /// <summary>No buffer space available.</summary>
    ENOBUFS = 105,

    /// <summary>Connection refused (an ICMP port unreachable reached a UDP socket).</summary>
    ECONNREFUSED = 111,

    /// <summary>No route to host.</summary>
    EHOSTUNREACH = 113,
}

/// <summary>errno access for the <see cref="Libc"/> imports (all declared with <c>SetLastError = true</c>).</summary>
internal static class LastError
{
    public static Errno Get() => (Errno)System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
}

/// <summary>A failed system call outside the hot path (setup), with the call's name and errno.</summary>
public sealed class NativeCallException : IOException
{
    /// <summary>Creates the exception for <paramref name="call"/> failing with <paramref name="errno"/>.</summary>
    public NativeCallException(string call, Errno errno)
        : base($"{call} failed: {errno} ({(int)errno})")
    {
        Call = call;
        Errno = errno;
    }

    /// <summary>Creates an exception with a message.</summary>
    public NativeCallException()
        : base("a system call failed")
    {
        Call = "";
    }

    /// <summary>Creates an exception with a message.</summary>
    public NativeCallException(string message)
        : base(message)
    {
        Call = "";
    }

    /// <summary>Creates an exception with a message and inner exception.</summary>
    public NativeCallException(string message, Exception innerException)
        : base(message, innerException)
    {
        Call = "";
    }

    /// <summary>The system call that failed.</summary>
    public string Call { get; }

    /// <summary>Its errno.</summary>
    public Errno Errno { get; }
}
