using System.Security.Cryptography;
using System.Text;
using Fleet.Striper.Crypto;

namespace Fleet.Striper.Tests.Crypto;

/// <summary>
/// What someone who holds the pre-shared key and recorded a session's hellos (so knows both randoms and public keys)
/// but never had an ephemeral private key can derive: the keys as protocol version 1 derived them from the pre-shared
/// key and the randoms alone, and as version 2 does with its ECDH secret replaced by zeros or by a secret agreed between
/// the attacker's own key and a recorded public key.
/// </summary>
internal static class PskOnlyKeys
{
    /// <summary>Candidate AEAD keys, epochs 0–3, of the direction sent by the side whose random is <paramref name="senderRandom"/>.</summary>
    public static List<byte[]> Candidates(byte[] preSharedKey, EstablishedSession transcript, byte[] senderRandom)
    {
        var keys = new List<byte[]>();
        foreach (var session in SessionSecrets(preSharedKey, transcript))
        {
            var traffic = KeySchedule.Traffic(session, senderRandom);
            for (var epoch = 0; epoch < 4; epoch++)
            {
                keys.Add(KeySchedule.Key(traffic));
                traffic = KeySchedule.Ratchet(traffic);
            }
        }

        return keys;
    }

    /// <summary>The key of epoch 0 the same way, given the ECDH secret the attacker lacks (the control: only the secret is missing).</summary>
    public static byte[] WithEcdhSecret(byte[] preSharedKey, EstablishedSession transcript, byte[] senderRandom, byte[] ecdhSecret) =>
        KeySchedule.Key(KeySchedule.Traffic(KeySchedule.SessionSecret(KeySchedule.ExtractPrk(preSharedKey), ecdhSecret, transcript), senderRandom));

    /// <summary>Candidate session tags of packets to the side whose random is <paramref name="receiverRandom"/>.</summary>
    public static List<uint> Tags(byte[] preSharedKey, EstablishedSession transcript, byte[] receiverRandom) =>
        SessionSecrets(preSharedKey, transcript).Select(s => KeySchedule.Tag(s, receiverRandom)).ToList();

    private static IEnumerable<byte[]> SessionSecrets(byte[] preSharedKey, EstablishedSession transcript)
    {
        // Version 1: session = HKDF-Expand(HKDF-Extract("fleet-striper/1", psk), "session" || min(Ra, Rb) || max(Ra, Rb)).
        var prk1 = new byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, preSharedKey, Encoding.ASCII.GetBytes("fleet-striper/1"), prk1);
        var mineFirst = transcript.Mine.AsSpan().SequenceCompareTo(transcript.Peer) <= 0;
        byte[] info = [.. "session"u8, .. mineFirst ? transcript.Mine : transcript.Peer, .. mineFirst ? transcript.Peer : transcript.Mine];
        var v1 = new byte[32];
        HKDF.Expand(HashAlgorithmName.SHA256, prk1, v1, info);
        yield return v1;

        // Version 2 without the ECDH secret.
        var prk2 = KeySchedule.ExtractPrk(preSharedKey);
        yield return KeySchedule.SessionSecret(prk2, new byte[32], transcript);
        using var own = new EphemeralShare();
        foreach (var recorded in new[] { transcript.MinePublicKey, transcript.PeerPublicKey })
        {
            Assert.True(own.TryAgree(recorded, out var guess));
            yield return KeySchedule.SessionSecret(prk2, guess, transcript);
        }
    }
}
