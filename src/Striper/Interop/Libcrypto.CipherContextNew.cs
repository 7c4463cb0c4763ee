using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libcrypto
{
    /// <summary><c>EVP_CIPHER_CTX_new(3)</c>: null when out of memory.</summary>
    [LibraryImport(Library, EntryPoint = "EVP_CIPHER_CTX_new")]
    internal static partial nint CipherContextNew();
}
