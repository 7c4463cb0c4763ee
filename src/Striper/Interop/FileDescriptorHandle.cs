using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

/// <summary>Owns one Linux file descriptor (TUN queue, UDP socket, eventfd, namespace); closes it exactly once.</summary>
public sealed class FileDescriptorHandle : SafeHandle
{
    /// <summary>Creates an invalid handle (used by the interop marshaller).</summary>
    public FileDescriptorHandle()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    internal FileDescriptorHandle(int fd)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number, for diagnostics only.</summary>
    public int Number => (int)handle.ToInt64();

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.Close((int)handle.ToInt64()) == 0;
}
