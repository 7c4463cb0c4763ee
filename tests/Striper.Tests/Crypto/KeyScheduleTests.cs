using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Striper.Crypto;

namespace Fleet.Striper.Tests.Crypto;

public sealed class KeyScheduleTests
{
    private static readonly byte[] s_psk = RandomNumberGenerator.GetBytes(32);

    /// <summary>Both sides of one session as the handshake leaves them: each one's view of the transcript and its ECDH secret.</summary>
    private static (EstablishedSession A, byte[] SecretA, EstablishedSession B, byte[] SecretB) Session()
    {
        using var a = new EphemeralShare();
        using var b = new EphemeralShare();
        Assert.True(a.TryAgree(b.PublicKey, out var secretA));
        Assert.True(b.TryAgree(a.PublicKey, out var secretB));
        return (new EstablishedSession(a.Random, a.PublicKey, b.Random, b.PublicKey), secretA,
            new EstablishedSession(b.Random, b.PublicKey, a.Random, a.PublicKey), secretB);
    }

    [Fact]
    public void SessionSecret_EachSideWithItsOwnView_Same()
    {
        var prk = KeySchedule.ExtractPrk(s_psk);
        var (a, secretA, b, secretB) = Session();

        Assert.Equal(KeySchedule.SessionSecret(prk, secretA, a), KeySchedule.SessionSecret(prk, secretB, b));
    }

    [Fact]
    public void SessionSecret_DifferentKeyEcdhSecretOrTranscript_Differs()
    {
        var prk = KeySchedule.ExtractPrk(s_psk);
        var other = KeySchedule.ExtractPrk(RandomNumberGenerator.GetBytes(32));
        var (a, secret, _, _) = Session();
        using var stranger = new EphemeralShare();

        var expected = KeySchedule.SessionSecret(prk, secret, a);

        Assert.NotEqual(expected, KeySchedule.SessionSecret(other, secret, a));
        Assert.NotEqual(expected, KeySchedule.SessionSecret(prk, RandomNumberGenerator.GetBytes(32), a));
        Assert.NotEqual(expected, KeySchedule.SessionSecret(prk, secret, a with { Peer = RandomNumberGenerator.GetBytes(32) }));
        Assert.NotEqual(expected, KeySchedule.SessionSecret(prk, secret, a with { PeerPublicKey = stranger.PublicKey }));
    }

    [Fact]
    public void TrafficKeys_EachDirectionAndEpoch_Distinct()
    {
        var session = RandomNumberGenerator.GetBytes(32);
        var a0 = KeySchedule.Traffic(session, [1]);
        var b0 = KeySchedule.Traffic(session, [2]);
        var a1 = KeySchedule.Ratchet(a0);

        Assert.NotEqual(a0, b0);
        Assert.NotEqual(a0, a1);
        Assert.NotEqual(KeySchedule.Key(a0), KeySchedule.Key(a1));
        Assert.NotEqual(KeySchedule.Tag(session, [1]), KeySchedule.Tag(session, [2]));
        Assert.NotEqual(0u, KeySchedule.Tag(session, [1]));
    }

    [Fact]
    public void HelloKey_DependsOnPsk()
    {
        Assert.NotEqual(
            KeySchedule.HelloKey(KeySchedule.ExtractPrk(s_psk)),
            KeySchedule.HelloKey(KeySchedule.ExtractPrk(RandomNumberGenerator.GetBytes(32))));
    }
}

public sealed class AeadCipherTests
{
    [Theory]
    [InlineData(StriperCipher.Aes256Gcm)]
    [InlineData(StriperCipher.ChaCha20Poly1305)]
    public void SealOpen_RoundTrip_ReturnsPlaintext(StriperCipher kind)
    {
        using var cipher = new AeadCipher(kind, RandomNumberGenerator.GetBytes(32));
        var nonce = RandomNumberGenerator.GetBytes(12);
        var aad = RandomNumberGenerator.GetBytes(44);
        var plaintext = RandomNumberGenerator.GetBytes(1400);
        var sealedBytes = new byte[1400];
        var tag = new byte[16];
        var opened = new byte[1400];

        cipher.Seal(nonce, plaintext, sealedBytes, tag, aad);

        Assert.NotEqual(plaintext, sealedBytes);
        Assert.True(cipher.Open(nonce, sealedBytes, tag, opened, aad));
        Assert.Equal(plaintext, opened);
    }

    [Theory]
    [InlineData(StriperCipher.Aes256Gcm, 0)]
    [InlineData(StriperCipher.Aes256Gcm, 1)]
    [InlineData(StriperCipher.Aes256Gcm, 2)]
    [InlineData(StriperCipher.Aes256Gcm, 3)]
    [InlineData(StriperCipher.ChaCha20Poly1305, 0)]
    [InlineData(StriperCipher.ChaCha20Poly1305, 1)]
    [InlineData(StriperCipher.ChaCha20Poly1305, 2)]
    [InlineData(StriperCipher.ChaCha20Poly1305, 3)]
    public void Open_AnyBitFlipped_ReturnsFalse(StriperCipher kind, int where)
    {
        using var cipher = new AeadCipher(kind, RandomNumberGenerator.GetBytes(32));
        var nonce = RandomNumberGenerator.GetBytes(12);
        var aad = RandomNumberGenerator.GetBytes(20);
        var plaintext = RandomNumberGenerator.GetBytes(100);
        var sealedBytes = new byte[100];
        var tag = new byte[16];
        cipher.Seal(nonce, plaintext, sealedBytes, tag, aad);

        var target = where switch { 0 => nonce, 1 => aad, 2 => sealedBytes, _ => tag };
        target[Random.Shared.Next(target.Length)] ^= (byte)(1 << Random.Shared.Next(8));

        Assert.False(cipher.Open(nonce, sealedBytes, tag, new byte[100], aad));
    }

    [Fact]
    public void Open_WrongKey_ReturnsFalse()
    {
        using var sender = new AeadCipher(StriperCipher.Aes256Gcm, RandomNumberGenerator.GetBytes(32));
        using var receiver = new AeadCipher(StriperCipher.Aes256Gcm, RandomNumberGenerator.GetBytes(32));
        var nonce = new byte[12];
        var sealedBytes = new byte[64];
        var tag = new byte[16];
        sender.Seal(nonce, new byte[64], sealedBytes, tag, []);

        Assert.False(receiver.Open(nonce, sealedBytes, tag, new byte[64], []));
    }
}
