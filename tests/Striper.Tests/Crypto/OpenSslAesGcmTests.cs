using System.Security.Cryptography;
using Fleet.Striper.Crypto;

namespace Fleet.Striper.Tests.Crypto;

/// <summary>
/// The data path's AES-256-GCM on OpenSSL called directly agrees byte for byte with the runtime's <see cref="AesGcm"/>
/// both ways, and refuses what does not authenticate.
/// </summary>
public sealed class OpenSslAesGcmTests
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(OpenSslAesGcm.KeyLength);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(15, 24)]
    [InlineData(1400, 0)]
    [InlineData(1473, 24)]
    [InlineData(9000, 24)]
    public void Encrypt_AnyLength_SameAsRuntimeAndBothOpenEachOther(int length, int aadLength)
    {
        Assert.True(OpenSslAesGcm.Available);
        using var native = new OpenSslAesGcm(_key);
        using var runtime = new AesGcm(_key, 16);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var plaintext = RandomNumberGenerator.GetBytes(length);
        var aad = RandomNumberGenerator.GetBytes(aadLength);
        var nativeCiphertext = new byte[length];
        var nativeTag = new byte[16];
        var runtimeCiphertext = new byte[length];
        var runtimeTag = new byte[16];

        native.Encrypt(nonce, plaintext, nativeCiphertext, nativeTag, aad);
        runtime.Encrypt(nonce, plaintext, runtimeCiphertext, runtimeTag, aad);

        Assert.Equal(runtimeCiphertext, nativeCiphertext);
        Assert.Equal(runtimeTag, nativeTag);
        var opened = new byte[length];
        Assert.True(native.TryDecrypt(nonce, runtimeCiphertext, runtimeTag, opened, aad));
        Assert.Equal(plaintext, opened);
    }

    [Fact]
    public void Encrypt_InPlaceManyTimes_EachNonceItsOwnAndDecryptsInPlace()
    {
        using var native = new OpenSslAesGcm(_key);
        using var runtime = new AesGcm(_key, 16);
        for (var i = 0; i < 100; i++)
        {
            var nonce = RandomNumberGenerator.GetBytes(12);
            var original = RandomNumberGenerator.GetBytes(1400);
            var buffer = original.ToArray();
            var tag = new byte[16];

            native.Encrypt(nonce, buffer, buffer, tag, default);
            var expected = new byte[1400];
            runtime.Decrypt(nonce, buffer, tag, expected);
            Assert.Equal(original, expected);
            Assert.True(native.TryDecrypt(nonce, buffer, tag, buffer, default));
            Assert.Equal(original, buffer);
        }
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("tag")]
    [InlineData("aad")]
    [InlineData("nonce")]
    public void TryDecrypt_AnyByteChanged_FalseAndPlaintextCleared(string changed)
    {
        using var native = new OpenSslAesGcm(_key);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var plaintext = RandomNumberGenerator.GetBytes(300);
        var aad = RandomNumberGenerator.GetBytes(24);
        var ciphertext = new byte[300];
        var tag = new byte[16];
        native.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        var target = changed switch
        {
            "ciphertext" => ciphertext,
            "tag" => tag,
            "aad" => aad,
            _ => nonce,
        };
        target[5] ^= 1;
        var opened = new byte[300];

        Assert.False(native.TryDecrypt(nonce, ciphertext, tag, opened, aad));
        Assert.All(opened, b => Assert.Equal(0, b));

        // The context serves the next packet as if nothing happened.
        target[5] ^= 1;
        Assert.True(native.TryDecrypt(nonce, ciphertext, tag, opened, aad));
        Assert.Equal(plaintext, opened);
    }
}
