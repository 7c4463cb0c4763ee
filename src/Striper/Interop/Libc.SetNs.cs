using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static partial class Libc
{
    /// <summary><c>setns(2)</c>: moves the calling thread into a network namespace.</summary>
    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(FileDescriptorHandle fd, int namespaceType);
}
