using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libcrypto
{
    /// <summary>
    /// <c>EVP_CipherInit_ex(3)</c>: null cipher, key or iv keep the context's; <paramref name="encrypt"/> 1 encrypts, 0
    /// decrypts. 1 on success.
    /// </summary>
    [LibraryImport(Library, EntryPoint = "EVP_CipherInit_ex")]
    internal static partial int CipherInit(nint context, nint cipher, nint engine, byte* key, byte* iv, int encrypt);
}
