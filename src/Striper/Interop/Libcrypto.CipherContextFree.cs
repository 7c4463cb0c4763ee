using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libcrypto
{
    /// <summary><c>EVP_CIPHER_CTX_free(3)</c>: clears the key schedule and frees the context.</summary>
    [LibraryImport(Library, EntryPoint = "EVP_CIPHER_CTX_free")]
    internal static partial void CipherContextFree(nint context);
}
