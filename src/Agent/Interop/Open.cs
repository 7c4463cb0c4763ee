using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Fleet.Agent.Interop;

internal static partial class Libc
{
    /// <summary><c>O_RDONLY</c>.</summary>
    public const int ReadOnly = 0;

    /// <summary><c>O_DIRECTORY</c> (x86_64 and arm64 values differ; .NET runs the agent on both).</summary>
    public static int Directory => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    /// <summary><c>O_CLOEXEC</c>.</summary>
    public const int CloseOnExec = 0x80000;

    /// <summary>open(2); returns an owned handle (invalid on failure, with errno in <see cref="Marshal.GetLastPInvokeError"/>).</summary>
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial SafeFileHandle Open(string path, int flags);
}
