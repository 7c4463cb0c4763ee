using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libc
{
    /// <summary><c>sendmmsg(2)</c>: a batch of datagrams in one call (the fallback when UDP GSO is missing).</summary>
    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    internal static partial int SendMmsg(FileDescriptorHandle fd, MultiMessageHeader* messages, uint count, int flags);
}
