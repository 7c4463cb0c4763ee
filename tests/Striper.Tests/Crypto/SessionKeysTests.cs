using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Striper.Crypto;

namespace Fleet.Striper.Tests.Crypto;

public sealed class SessionKeysTests
{
    private static (SessionKeys A, SessionKeys B) Pair(StriperCipher cipher = StriperCipher.Aes256Gcm)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var ra = RandomNumberGenerator.GetBytes(32);
        var rb = RandomNumberGenerator.GetBytes(32);
        return (new SessionKeys(cipher, secret, ra, rb, 3), new SessionKeys(cipher, secret, rb, ra, 3));
    }

    private static (byte[] Sealed, byte[] Tag) Seal(AeadCipher cipher, byte[] nonce, byte[] plaintext)
    {
        var sealedBytes = new byte[plaintext.Length];
        var tag = new byte[16];
        cipher.Seal(nonce, plaintext, sealedBytes, tag, []);
        return (sealedBytes, tag);
    }

    [Theory]
    [InlineData(StriperCipher.Aes256Gcm)]
    [InlineData(StriperCipher.ChaCha20Poly1305)]
    public void Keys_EachSideOpensWhatTheOtherSeals(StriperCipher kind)
    {
        var (a, b) = Pair(kind);
        using var disposeA = a;
        using var disposeB = b;
        var nonce = new byte[12];
        var plaintext = RandomNumberGenerator.GetBytes(200);

        var (sealedAb, tagAb) = Seal(a.CurrentTx.Ciphers[0], nonce, plaintext);
        var (sealedBa, tagBa) = Seal(b.CurrentTx.Ciphers[1], nonce, plaintext);

        Assert.Equal(a.TxTag, b.RxTag);
        Assert.Equal(b.TxTag, a.RxTag);
        Assert.NotEqual(a.RxTag, b.RxTag);
        Assert.True(b.RxCipher(0, out _)!.Open(nonce, sealedAb, tagAb, new byte[200], []));
        Assert.True(a.RxCipher(0, out _)!.Open(nonce, sealedBa, tagBa, new byte[200], []));
        Assert.NotEqual(sealedAb, sealedBa); // the two directions use different keys
    }

    [Fact]
    public void Rekey_ReceiverFollowsAndKeepsPreviousEpoch()
    {
        var (a, b) = Pair();
        using var disposeA = a;
        using var disposeB = b;
        var nonce = new byte[12];
        var plaintext = RandomNumberGenerator.GetBytes(64);
        var (oldSealed, oldTag) = Seal(a.CurrentTx.Ciphers[0], nonce, plaintext);

        a.Rekey().Dispose();
        Assert.Equal(1, a.CurrentTx.Epoch);
        var (newSealed, newTag) = Seal(a.CurrentTx.Ciphers[0], nonce, plaintext);

        Assert.False(b.RxCipher(0, out _)!.Open(nonce, newSealed, newTag, new byte[64], []));
        var next = b.RxCipher(1, out var epoch)!;
        Assert.Equal(1, epoch);
        Assert.True(next.Open(nonce, newSealed, newTag, new byte[64], []));
        b.RxAuthenticated(epoch);
        Assert.Equal(1, b.RxEpoch);

        // Packets of the previous epoch still in flight are accepted; two epochs back is out of range.
        Assert.True(b.RxCipher(0, out var previous)!.Open(nonce, oldSealed, oldTag, new byte[64], []));
        Assert.Equal(0, previous);
        Assert.Null(b.RxCipher(3, out _));
    }

    [Fact]
    public void RxCipher_EpochFarAhead_Null()
    {
        var (a, b) = Pair();
        using var disposeA = a;
        using var disposeB = b;

        Assert.Null(b.RxCipher(2, out _));
        Assert.Null(b.RxCipher(200, out _));
    }
}
