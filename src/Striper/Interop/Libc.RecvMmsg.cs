using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libc
{
    /// <summary><c>recvmmsg(2)</c>: a batch of datagrams (or, with UDP_GRO, of coalesced datagram trains).</summary>
    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    internal static partial int RecvMmsg(FileDescriptorHandle fd, MultiMessageHeader* messages, uint count, int flags, TimeSpec* timeout);
}
