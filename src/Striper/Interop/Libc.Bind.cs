using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libc
{
    /// <summary><c>bind(2)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(FileDescriptorHandle fd, void* address, uint addressLength);
}
