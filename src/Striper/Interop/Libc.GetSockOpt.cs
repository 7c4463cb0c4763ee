using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libc
{
    /// <summary><c>getsockopt(2)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    internal static partial int GetSockOpt(FileDescriptorHandle fd, int level, int name, void* value, uint* length);
}
