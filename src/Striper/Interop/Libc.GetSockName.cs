using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libc
{
    /// <summary><c>getsockname(2)</c>: the port the kernel chose when we bound to port 0.</summary>
    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    internal static partial int GetSockName(FileDescriptorHandle fd, void* address, uint* addressLength);
}
