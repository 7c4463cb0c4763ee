using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static partial class Libc
{
    /// <summary><c>open(2)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial FileDescriptorHandle Open(string path, int flags, int mode);
}
