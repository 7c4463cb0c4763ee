using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

/// <summary>Owns one OpenSSL <c>EVP_CIPHER_CTX</c>; frees it (and the key schedule in it) exactly once.</summary>
internal sealed class CipherContextHandle : SafeHandle
{
    public CipherContextHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(Libcrypto.CipherContextNew());
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        Libcrypto.CipherContextFree(handle);
        return true;
    }
}
