using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libcrypto
{
    /// <summary><c>EVP_aes_256_gcm(3)</c>: the cipher's static descriptor (never freed).</summary>
    [LibraryImport(Library, EntryPoint = "EVP_aes_256_gcm")]
    internal static partial nint Aes256Gcm();
}
