using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Fleet.Agent.Interop;

internal static partial class Libc
{
    /// <summary>fsync(2).</summary>
    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(SafeFileHandle fd);
}
