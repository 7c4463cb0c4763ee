using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.Striper.Crypto;

/// <summary>
/// Key derivation with HKDF-SHA256 (RFC 5869) from the link's pre-shared key (docs/striper-protocol.md, "Keys"):
/// <code>
/// prk            = HKDF-Extract(salt = "fleet-striper/1", ikm = psk)
/// hello key      = HKDF-Expand(prk, "hello", 32)
/// session secret = HKDF-Expand(prk, "session" || min(Ra, Rb) || max(Ra, Rb), 32)
/// traffic(R, 0)  = HKDF-Expand(session, "traffic" || R, 32)        traffic of the endpoint whose random is R
/// traffic(R, e+1)= HKDF-Expand(traffic(R, e), "ratchet", 32)       rekeying: one-way, old secrets are erased
/// key(R, e)      = HKDF-Expand(traffic(R, e), "key", 32)
/// tag(R)         = HKDF-Expand(session, "tag" || R, 4)             session tag packets to endpoint R carry
/// </code>
/// </summary>
internal static class KeySchedule
{
    public const int SecretLength = 32;
    private static readonly byte[] s_salt = Encoding.ASCII.GetBytes("fleet-striper/1");

    public static byte[] ExtractPrk(ReadOnlySpan<byte> preSharedKey)
    {
        var prk = new byte[SecretLength];
        HKDF.Extract(HashAlgorithmName.SHA256, preSharedKey, s_salt, prk);
        return prk;
    }

    public static byte[] HelloKey(ReadOnlySpan<byte> prk) => Expand(prk, "hello"u8, default, default);

    public static byte[] SessionSecret(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> randomA, ReadOnlySpan<byte> randomB)
    {
        var aFirst = randomA.SequenceCompareTo(randomB) <= 0;
        return Expand(prk, "session"u8, aFirst ? randomA : randomB, aFirst ? randomB : randomA);
    }

    public static byte[] Traffic(ReadOnlySpan<byte> sessionSecret, ReadOnlySpan<byte> random) => Expand(sessionSecret, "traffic"u8, random, default);

    public static byte[] Ratchet(ReadOnlySpan<byte> traffic) => Expand(traffic, "ratchet"u8, default, default);

    public static byte[] Key(ReadOnlySpan<byte> traffic) => Expand(traffic, "key"u8, default, default);

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

    private static byte[] Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var info = new byte[label.Length + first.Length + second.Length];
        label.CopyTo(info);
        first.CopyTo(info.AsSpan(label.Length));
        second.CopyTo(info.AsSpan(label.Length + first.Length));
        var output = new byte[SecretLength];
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, info);
        return output;
    }
}
