using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libc
{
    /// <summary><c>ppoll(2)</c> (nanosecond timeout; null waits forever); no signal mask.</summary>
    [LibraryImport("libc", EntryPoint = "ppoll", SetLastError = true)]
    internal static partial int Ppoll(PollFd* fds, nuint count, TimeSpec* timeout, void* signalMask);
}
