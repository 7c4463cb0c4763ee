using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

/// <summary>
/// The few OpenSSL 3 functions the data path's AES-GCM calls directly (<c>Crypto/OpenSslAesGcm</c>): the library the
/// runtime's own <c>AesGcm</c> uses on Linux, without the runtime's wrapper around every call.
/// </summary>
internal static unsafe partial class Libcrypto
{
    internal const string Library = "libcrypto.so.3";

    /// <summary><c>EVP_CTRL_AEAD_GET_TAG</c> (openssl/evp.h).</summary>
    internal const int GcmGetTag = 0x10;

    /// <summary><c>EVP_CTRL_AEAD_SET_TAG</c> (openssl/evp.h).</summary>
    internal const int GcmSetTag = 0x11;

    private static readonly Lazy<bool> s_available = new(() => NativeLibrary.TryLoad(Library, out _));

    /// <summary>Whether the library loads in this process (Debian 12 and later ship it; elsewhere the runtime's wrapper serves).</summary>
    internal static bool Available => s_available.Value;
}
