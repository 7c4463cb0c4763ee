using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Fleet.Striper.Crypto;

/// <summary>
/// The random a responder whose receive tag must meet a rule answers a peer's hello with: an aggregator with several
/// workers accepts only a tag that lands on the site's lane (docs/striper-protocol.md, "Aggregator"). The tag derives
/// from the session secret and the responder's random, and the responder knows every input of the secret once it has
/// the peer's hello, so it draws candidates until one's tag fits: about N tries of a few hashes with N lanes, and the
/// session that follows needs no second round. Nothing changes on the wire or for the peer: a random is 32 bytes the
/// peer only echoes.
/// <para>
/// A candidate is <c>index (2 bytes) ‖ HMAC-SHA256(draw key, peer random ‖ index)[..30]</c>, the draw key being
/// secret and new with every pending share. The candidate is therefore bound to the peer random it was drawn for,
/// unpredictable, and recomputed rather than stored: a replayed hello of another peer random is answered with its own
/// candidate and cannot displace the one a handshake in progress will echo.
/// </para>
/// </summary>
internal sealed class ResponderRandoms(byte[] prk, Func<uint, bool> tagFits)
{
    /// <summary>Candidates tried before giving up (the tag rule then refuses the session, as without a draw).</summary>
    public const int MaxTries = 4096;

    private const int IndexLength = 2;

    /// <summary>
    /// The first candidate for <paramref name="peerRandom"/> whose receive tag fits, or null when none of
    /// <see cref="MaxTries"/> does. <paramref name="ecdh"/> is the secret <paramref name="share"/> agreed with
    /// <paramref name="peerPublicKey"/>: the caller agrees it once and keeps it for the session the draw leads to.
    /// </summary>
    public byte[]? Draw(EphemeralShare share, ReadOnlySpan<byte> drawKey, ReadOnlySpan<byte> peerRandom, ReadOnlySpan<byte> peerPublicKey, byte[] ecdh)
    {
        var peer = peerRandom.ToArray();
        var peerKey = peerPublicKey.ToArray();
        for (var index = 0; index < MaxTries; index++)
        {
            var candidate = Candidate(drawKey, peerRandom, index);
            var secret = KeySchedule.SessionSecret(prk, ecdh, new EstablishedSession(candidate, share.PublicKey, peer, peerKey));
            var tag = KeySchedule.Tag(secret, candidate);
            CryptographicOperations.ZeroMemory(secret);
            if (tagFits(tag))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="echo"/> is a candidate drawn with <paramref name="drawKey"/> for <paramref name="peerRandom"/>.</summary>
    public static bool IsCandidate(ReadOnlySpan<byte> drawKey, ReadOnlySpan<byte> echo, ReadOnlySpan<byte> peerRandom)
    {
        if (echo.Length != EphemeralShare.RandomLength)
        {
            return false;
        }

        var index = BinaryPrimitives.ReadUInt16BigEndian(echo);
        return index < MaxTries && CryptographicOperations.FixedTimeEquals(Candidate(drawKey, peerRandom, index), echo);
    }

    private static byte[] Candidate(ReadOnlySpan<byte> drawKey, ReadOnlySpan<byte> peerRandom, int index)
    {
        Span<byte> input = stackalloc byte[EphemeralShare.RandomLength + IndexLength];
        peerRandom.CopyTo(input);
        BinaryPrimitives.WriteUInt16BigEndian(input[EphemeralShare.RandomLength..], (ushort)index);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(drawKey, input, mac);
        var candidate = new byte[EphemeralShare.RandomLength];
        BinaryPrimitives.WriteUInt16BigEndian(candidate, (ushort)index);
        mac[..(EphemeralShare.RandomLength - IndexLength)].CopyTo(candidate.AsSpan(IndexLength));
        return candidate;
    }
}
