using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libcrypto
{
    /// <summary><c>EVP_CipherUpdate(3)</c>: with a null <paramref name="output"/> the input is associated data. 1 on success.</summary>
    [LibraryImport(Library, EntryPoint = "EVP_CipherUpdate")]
    internal static partial int CipherUpdate(nint context, byte* output, int* outputLength, byte* input, int inputLength);
}
