using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libc
{
    /// <summary><c>write(2)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(FileDescriptorHandle fd, void* buffer, nuint count);
}
