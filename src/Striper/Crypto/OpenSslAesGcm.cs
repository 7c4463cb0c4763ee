using System.Security.Cryptography;
using Fleet.Striper.Interop;

namespace Fleet.Striper.Crypto;

/// <summary>
/// AES-256-GCM (12-byte nonce, 16-byte tag) on one OpenSSL cipher context, called directly: the same library and the
/// same calls as the runtime's <see cref="AesGcm"/> on Linux, without its wrapper, which empties OpenSSL's error queue
/// before each of the five native calls a packet takes. That emptying was about a sixth of a striper thread's CPU at
/// line rate (docs/striper-protocol.md, "Cost per packet"). The error queue is emptied here only after a failure.
/// Not thread-safe: one instance per thread, as <see cref="AeadCipher"/>.
/// </summary>
internal sealed unsafe class OpenSslAesGcm : IDisposable
{
    public const int KeyLength = 32;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int Encrypting = 1;
    private const int Decrypting = 0;
    private readonly CipherContextHandle _context;

    public OpenSslAesGcm(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"AES-256-GCM takes a {KeyLength}-byte key", nameof(key));
        }

        _context = new CipherContextHandle();
        if (_context.IsInvalid)
        {
            throw new CryptographicException("EVP_CIPHER_CTX_new failed");
        }

        fixed (byte* k = key)
        {
            if (Libcrypto.CipherInit(_context.DangerousGetHandle(), Libcrypto.Aes256Gcm(), 0, k, null, Encrypting) != 1)
            {
                Libcrypto.ClearErrors();
                _context.Dispose();
                throw new CryptographicException("EVP_CipherInit_ex (AES-256-GCM) failed");
            }
        }
    }

    /// <summary>Whether this process can use it (OpenSSL 3 loads).</summary>
    public static bool Available => Libcrypto.Available;

    /// <summary>As <see cref="AesGcm.Encrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte}, Span{byte}, ReadOnlySpan{byte})"/>.</summary>
    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        if (!Run(Encrypting, nonce, plaintext, ciphertext, tag, associatedData))
        {
            Libcrypto.ClearErrors();
            throw new CryptographicException("AES-GCM encryption failed");
        }
    }

    /// <summary>Decrypts and authenticates; false when the tag does not match, and <paramref name="plaintext"/> is then cleared.</summary>
    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        if (Run(Decrypting, nonce, ciphertext, plaintext, tag, associatedData))
        {
            return true;
        }

        // Nothing of a forgery is used: as the runtime's AesGcm, clear what was decrypted.
        Libcrypto.ClearErrors();
        CryptographicOperations.ZeroMemory(plaintext);
        return false;
    }

    public void Dispose() => _context.Dispose();

    /// <summary>
    /// One packet: the nonce, the associated data, the data, then the tag — read after the final call when encrypting,
    /// set before it when decrypting (the final call then checks it). <paramref name="tag"/> is written when encrypting.
    /// </summary>
    private bool Run(int direction, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        if (nonce.Length != NonceLength || tag.Length != TagLength || input.Length != output.Length)
        {
            throw new ArgumentException("AES-GCM takes a 12-byte nonce, a 16-byte tag and a ciphertext as long as the plaintext");
        }

        var added = false;
        _context.DangerousAddRef(ref added);
        try
        {
            var context = _context.DangerousGetHandle();
            fixed (byte* n = nonce)
            fixed (byte* i = input)
            fixed (byte* o = output)
            fixed (byte* t = tag)
            fixed (byte* a = associatedData)
            {
                var written = 0;
                return Libcrypto.CipherInit(context, 0, 0, null, n, direction) == 1
                    && (associatedData.Length == 0 || Libcrypto.CipherUpdate(context, null, &written, a, associatedData.Length) == 1)
                    && (input.Length == 0 || (Libcrypto.CipherUpdate(context, o, &written, i, input.Length) == 1 && written == input.Length))
                    && (direction == Encrypting || Libcrypto.CipherControl(context, Libcrypto.GcmSetTag, TagLength, t) == 1)
                    && Libcrypto.CipherFinal(context, o + input.Length, &written) == 1
                    && (direction == Decrypting || Libcrypto.CipherControl(context, Libcrypto.GcmGetTag, TagLength, t) == 1);
            }
        }
        finally
        {
            _context.DangerousRelease();
        }
    }
}
