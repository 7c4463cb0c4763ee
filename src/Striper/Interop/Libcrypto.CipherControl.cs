using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

internal static unsafe partial class Libcrypto
{
    /// <summary><c>EVP_CIPHER_CTX_ctrl(3)</c>: <see cref="GcmGetTag"/> and <see cref="GcmSetTag"/>. 1 on success.</summary>
    [LibraryImport(Library, EntryPoint = "EVP_CIPHER_CTX_ctrl")]
    internal static partial int CipherControl(nint context, int type, int argument, byte* pointer);
}
