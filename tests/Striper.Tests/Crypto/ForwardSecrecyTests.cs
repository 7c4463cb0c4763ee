using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Striper.Crypto;
using Fleet.Striper.Engine;

namespace Fleet.Striper.Tests.Crypto;

public sealed class ForwardSecrecyTests
{
    [Theory]
    [InlineData(StriperCipher.Aes256Gcm)]
    [InlineData(StriperCipher.ChaCha20Poly1305)]
    public void RecordedSession_PskAndTranscriptWithoutEphemeralSecrets_CannotOpenIt(StriperCipher cipher)
    {
        var psk = RandomNumberGenerator.GetBytes(32);
        using var a = new LinkSession(cipher, Convert.ToBase64String(psk));
        using var b = new LinkSession(cipher, Convert.ToBase64String(psk));
        var hello = a.Handshake.HelloToSend;
        Assert.Equal(HelloOutcome.Respond, b.Handshake.OnHello(hello.Random, hello.PublicKey, new byte[32], out var reply));
        Assert.Equal(HelloOutcome.Established, a.Handshake.OnHello(reply.Random, reply.PublicKey, reply.Echo, out var confirm));
        var keysA = a.Establish()!;
        Assert.Equal(HelloOutcome.Established, b.Handshake.OnHello(confirm.Random, confirm.PublicKey, confirm.Echo, out _));
        var keysB = b.Establish()!;

        // A seals a data message as its sending thread does (no associated data); B opens it.
        var nonce = new byte[12];
        nonce[11] = 1;
        var plaintext = RandomNumberGenerator.GetBytes(200);
        var sealedBytes = new byte[plaintext.Length];
        var tag = new byte[16];
        keysA.CurrentTx.Ciphers[0].Seal(nonce, plaintext, sealedBytes, tag, default);
        Assert.True(keysB.RxCipher(0, out _)!.Open(nonce, sealedBytes, tag, new byte[plaintext.Length], default));

        // Whoever recorded the hellos and learns the pre-shared key later has the whole transcript, but no ECDH secret.
        var transcript = a.Handshake.Established!;
        var candidates = PskOnlyKeys.Candidates(psk, transcript, transcript.Mine);
        Assert.NotEmpty(candidates);
        foreach (var key in candidates)
        {
            using var guess = new AeadCipher(cipher, key);
            Assert.False(guess.Open(nonce, sealedBytes, tag, new byte[plaintext.Length], default));
        }

        Assert.DoesNotContain(keysB.RxTag, PskOnlyKeys.Tags(psk, transcript, transcript.Mine));
    }

    [Fact]
    public void PskOnlyDerivation_GivenTheEcdhSecret_OpensTheSession()
    {
        // The control for the test above: the attacker's derivation is the real one, short of the ECDH secret.
        var psk = RandomNumberGenerator.GetBytes(32);
        var prk = KeySchedule.ExtractPrk(psk);
        using var a = new Handshake();
        using var b = new Handshake();
        var hello = a.HelloToSend;
        b.OnHello(hello.Random, hello.PublicKey, new byte[32], out var reply);
        a.OnHello(reply.Random, reply.PublicKey, reply.Echo, out var confirm);
        b.OnHello(confirm.Random, confirm.PublicKey, confirm.Echo, out _);
        var secretA = a.TakeSharedSecret();
        using var keysB = new SessionKeys(StriperCipher.Aes256Gcm, KeySchedule.SessionSecret(prk, b.TakeSharedSecret(), b.Established!), b.Established!.Mine, b.Established.Peer, 3);
        var transcript = a.Established!;

        using var sender = new AeadCipher(StriperCipher.Aes256Gcm, PskOnlyKeys.WithEcdhSecret(psk, transcript, transcript.Mine, secretA));
        var nonce = new byte[12];
        var plaintext = RandomNumberGenerator.GetBytes(64);
        var sealedBytes = new byte[64];
        var tag = new byte[16];
        sender.Seal(nonce, plaintext, sealedBytes, tag, default);

        Assert.True(keysB.RxCipher(0, out _)!.Open(nonce, sealedBytes, tag, new byte[64], default));
    }
}
