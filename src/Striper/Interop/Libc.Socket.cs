using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static partial class Libc
{
    /// <summary><c>socket(2)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    internal static partial FileDescriptorHandle Socket(int domain, int type, int protocol);
}
