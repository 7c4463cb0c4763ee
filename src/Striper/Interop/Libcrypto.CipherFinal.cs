using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libcrypto
{
    /// <summary><c>EVP_CipherFinal_ex(3)</c>: for GCM decryption, 1 only when the tag set before matches.</summary>
    [LibraryImport(Library, EntryPoint = "EVP_CipherFinal_ex")]
    internal static partial int CipherFinal(nint context, byte* output, int* outputLength);
}
