using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libc
{
    /// <summary><c>sendmsg(2)</c>: one datagram, or with a UDP_SEGMENT control message a whole GSO batch.</summary>
    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    internal static partial nint SendMsg(FileDescriptorHandle fd, MessageHeader* message, int flags);
}
