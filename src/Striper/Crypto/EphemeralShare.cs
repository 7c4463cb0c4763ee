using System.Security.Cryptography;

namespace Fleet.Striper.Crypto;

/// <summary>
/// One side's contribution to one session (docs/striper-protocol.md, "Handshake"): a fresh 32-byte random and an
/// ephemeral ECDH P-256 key pair from System.Security.Cryptography (OpenSSL; X25519 is not offered on Linux). The
/// private key lives until the session's secret is agreed and is then released, so a recorded session cannot be
/// opened later with the pre-shared key alone.
/// </summary>
internal sealed class EphemeralShare : IDisposable
{
    public const int RandomLength = 32;

    /// <summary>An uncompressed P-256 point without its 0x04 prefix: X ‖ Y, 32 bytes each, big-endian.</summary>
    public const int PublicKeyLength = 64;

    public const int SecretLength = 32;

    private const int CoordinateLength = 32;
    private ECDiffieHellman? _key;

    public EphemeralShare()
    {
        Random = RandomNumberGenerator.GetBytes(RandomLength);
        _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var point = _key.ExportParameters(includePrivateParameters: false).Q;
        PublicKey = [.. point.X!, .. point.Y!];
    }

    public byte[] Random { get; }

    public byte[] PublicKey { get; }

    /// <summary>
    /// ECDH with the peer's public key: the x coordinate of the shared point (32 bytes). False when the peer's key is
    /// not a point on P-256 (OpenSSL checks it on import; P-256 has cofactor 1, so every point on it is a valid
    /// public key) or this share's private key was already released.
    /// </summary>
    public bool TryAgree(ReadOnlySpan<byte> peerPublicKey, out byte[] secret)
    {
        secret = [];
        if (_key is null || !TryImport(peerPublicKey, out var peer))
        {
            return false;
        }

        using (peer)
        {
            secret = _key.DeriveRawSecretAgreement(peer.PublicKey);
            return true;
        }
    }

    /// <summary>Whether <paramref name="publicKey"/> is a P-256 public key as a hello carries it.</summary>
    public static bool IsValidPublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (!TryImport(publicKey, out var key))
        {
            return false;
        }

        key.Dispose();
        return true;
    }

    /// <summary>Releases the private key: after this, no secret can be agreed with this share again.</summary>
    public void ReleasePrivateKey()
    {
        _key?.Dispose();
        _key = null;
    }

    public void Dispose() => ReleasePrivateKey();

    private static bool TryImport(ReadOnlySpan<byte> publicKey, out ECDiffieHellman key)
    {
        key = null!;
        if (publicKey.Length != PublicKeyLength)
        {
            return false;
        }

        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = publicKey[..CoordinateLength].ToArray(), Y = publicKey[CoordinateLength..].ToArray() },
        };
        try
        {
            key = ECDiffieHellman.Create(parameters);
            return true;
        }
        catch (CryptographicException)
        {
            // Not a point on the curve: an authentic hello from a buggy peer, or a fuzzer.
            return false;
        }
    }
}
