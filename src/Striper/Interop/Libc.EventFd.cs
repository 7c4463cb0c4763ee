using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static partial class Libc
{
    /// <summary><c>eventfd(2)</c>: wakes a loop blocked in poll when the engine stops.</summary>
    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    internal static partial FileDescriptorHandle EventFd(uint initialValue, int flags);
}
