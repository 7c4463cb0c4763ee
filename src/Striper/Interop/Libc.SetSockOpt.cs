using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libc
{
    /// <summary><c>setsockopt(2)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(FileDescriptorHandle fd, int level, int name, void* value, uint length);
}
