using System.Security.Cryptography;
using Fleet.Contracts.Links;

namespace Fleet.Striper.Crypto;

/// <summary>
/// One AEAD key: AES-256-GCM or ChaCha20-Poly1305 from System.Security.Cryptography, 12-byte nonce, 16-byte tag;
/// AES-256-GCM on OpenSSL called directly where OpenSSL 3 loads (<see cref="OpenSslAesGcm"/>: the same library
/// without the runtime's per-call wrapper). Not thread-safe (the underlying OpenSSL context is per instance), so
/// every sending thread holds its own.
/// </summary>
internal sealed class AeadCipher : IDisposable
{
    private readonly OpenSslAesGcm? _native;
    private readonly AesGcm? _aes;
    private readonly ChaCha20Poly1305? _chacha;

    public AeadCipher(StriperCipher cipher, ReadOnlySpan<byte> key)
    {
        Cipher = cipher;
        if (cipher == StriperCipher.ChaCha20Poly1305)
        {
            _chacha = new ChaCha20Poly1305(key);
        }
        else if (OpenSslAesGcm.Available && key.Length == OpenSslAesGcm.KeyLength)
        {
            _native = new OpenSslAesGcm(key);
        }
        else
        {
            _aes = new AesGcm(key, 16);
        }
    }

    public StriperCipher Cipher { get; }

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (same length; may be the same memory).</summary>
    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        if (_native is not null)
        {
            _native.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        }
        else if (_aes is not null)
        {
            _aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        }
        else
        {
            _chacha!.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        }
    }

    /// <summary>Decrypts and authenticates; false (never an exception) when the tag does not match.</summary>
    public bool Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        if (_native is not null)
        {
            return _native.TryDecrypt(nonce, ciphertext, tag, plaintext, associatedData);
        }

        try
        {
            if (_aes is not null)
            {
                _aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            }
            else
            {
                _chacha!.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            }

            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // The plaintext buffer is cleared by the runtime on failure; nothing of the forgery is used.
            return false;
        }
    }

    public void Dispose()
    {
        _native?.Dispose();
        _aes?.Dispose();
        _chacha?.Dispose();
    }
}
