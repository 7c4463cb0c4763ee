using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libcrypto
{
    /// <summary><c>ERR_clear_error(3)</c>: empties this thread's OpenSSL error queue.</summary>
    [LibraryImport(Library, EntryPoint = "ERR_clear_error")]
    internal static partial void ClearErrors();
}
