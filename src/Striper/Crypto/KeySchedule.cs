using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.Striper.Crypto;

/// <summary>
/// Key derivation with HKDF-SHA256 (RFC 5869) from the link's pre-shared key and each session's ephemeral ECDH secret
/// (docs/striper-protocol.md, "Keys and rekeying"):
/// <code>
/// prk            = HKDF-Extract(salt = "fleet-striper/2", ikm = psk)
/// hello key      = HKDF-Expand(prk, "hello", 32)
/// transcript     = lo.random || lo.public || hi.random || hi.public     the two sides ordered by random, bytewise
/// session        = HKDF-Expand(HKDF-Extract(salt = prk, ikm = ecdh), "session" || transcript, 32)
/// traffic(R, 0)  = HKDF-Expand(session, "traffic" || R, 32)        traffic of the endpoint whose random is R
/// traffic(R, e+1)= HKDF-Expand(traffic(R, e), "ratchet", 32)       rekeying: one-way, old secrets are erased
/// key(R, e)      = HKDF-Expand(traffic(R, e), "key", 32)
/// tag(R)         = HKDF-Expand(session, "tag" || R, 4)             session tag packets to endpoint R carry
/// </code>
/// The session secret needs both the pre-shared key and the ECDH secret, which only the two ephemeral private keys
/// give: whoever learns the pre-shared key later and recorded the hellos still cannot derive it (forward secrecy).
/// </summary>
internal static class KeySchedule
{
    public const int SecretLength = 32;
    private static readonly byte[] s_salt = Encoding.ASCII.GetBytes("fleet-striper/2");

    public static byte[] ExtractPrk(ReadOnlySpan<byte> preSharedKey)
    {
        var prk = new byte[SecretLength];
        HKDF.Extract(HashAlgorithmName.SHA256, preSharedKey, s_salt, prk);
        return prk;
    }

    public static byte[] HelloKey(ReadOnlySpan<byte> prk) => Expand(prk, "hello"u8, default);

    /// <summary>The session secret both sides derive from the pre-shared key, their ECDH secret and the transcript.</summary>
    public static byte[] SessionSecret(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> ecdhSecret, EstablishedSession session)
    {
        Span<byte> extracted = stackalloc byte[SecretLength];
        HKDF.Extract(HashAlgorithmName.SHA256, ecdhSecret, prk, extracted);
        var mineFirst = session.Mine.AsSpan().SequenceCompareTo(session.Peer) <= 0;
        var (lo, loPublic, hi, hiPublic) = mineFirst
            ? (session.Mine, session.MinePublicKey, session.Peer, session.PeerPublicKey)
            : (session.Peer, session.PeerPublicKey, session.Mine, session.MinePublicKey);
        var transcript = new byte[lo.Length + loPublic.Length + hi.Length + hiPublic.Length];
        lo.CopyTo(transcript, 0);
        loPublic.CopyTo(transcript, lo.Length);
        hi.CopyTo(transcript, lo.Length + loPublic.Length);
        hiPublic.CopyTo(transcript, lo.Length + loPublic.Length + hi.Length);
        try
        {
            return Expand(extracted, "session"u8, transcript);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(extracted);
        }
    }

    public static byte[] Traffic(ReadOnlySpan<byte> sessionSecret, ReadOnlySpan<byte> random) => Expand(sessionSecret, "traffic"u8, random);

    public static byte[] Ratchet(ReadOnlySpan<byte> traffic) => Expand(traffic, "ratchet"u8, default);

    public static byte[] Key(ReadOnlySpan<byte> traffic) => Expand(traffic, "key"u8, default);

    public static uint Tag(ReadOnlySpan<byte> sessionSecret, ReadOnlySpan<byte> random)
    {
        Span<byte> info = stackalloc byte[3 + random.Length];
        "tag"u8.CopyTo(info);
        random.CopyTo(info[3..]);
        Span<byte> output = stackalloc byte[4];
        HKDF.Expand(HashAlgorithmName.SHA256, sessionSecret, output, info);
        var tag = BinaryPrimitives.ReadUInt32BigEndian(output);
        return tag == 0 ? 1 : tag; // 0 marks a hello on the wire
    }

    private static byte[] Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> context)
    {
        var info = new byte[label.Length + context.Length];
        label.CopyTo(info);
        context.CopyTo(info.AsSpan(label.Length));
        var output = new byte[SecretLength];
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, info);
        return output;
    }
}
