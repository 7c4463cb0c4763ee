using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libc
{
    /// <summary><c>read(2)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(FileDescriptorHandle fd, void* buffer, nuint count);
}
