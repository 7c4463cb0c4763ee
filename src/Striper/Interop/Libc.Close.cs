using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static partial class Libc
{
    /// <summary><c>close(2)</c>; only <see cref="FileDescriptorHandle"/> calls it.</summary>
    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
