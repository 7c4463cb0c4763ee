using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libc
{
    /// <summary><c>writev(2)</c>: one TUN packet gathered from several buffers.</summary>
    [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
    internal static partial nint Writev(FileDescriptorHandle fd, IoVec* iov, int count);
}
