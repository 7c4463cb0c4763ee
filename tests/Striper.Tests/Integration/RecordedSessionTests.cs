using System.Net;
using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Striper.Crypto;
using Fleet.Striper.Tests.Crypto;
using Fleet.Striper.Wire;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>What a recording of a real session on the wire gives someone who later learns the pre-shared key, and what a peer of another protocol version gets.</summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class RecordedSessionTests
{
    [Fact(Timeout = 120_000)]
    public async Task RecordedOnTheWire_PskLeaksLater_TranscriptReadableButNoDatagramOpens()
    {
        Privileged.Require("network namespaces, veth, TUN, AF_PACKET");
        var cancel = TestContext.Current.CancellationToken;
        await using var topology = await NamespaceTopology.CreateAsync(2);

        // Record, in the middle, the handshake and data in both directions.
        var capture = Task.Run(() => PacketCapture.UdpPayloads(NamespaceTopology.NamespacePath(topology.M),
            (source, destination) => source == StriperPair.Port || destination == StriperPair.Port, 120, TimeSpan.FromSeconds(8),
            payload => WireHeader.TryParse(payload, out var h) && h.Type is MessageType.Hello or MessageType.Data), cancel);
        await Task.Delay(300, cancel);
        using var pair = await StriperPair.StartAsync(topology);
        var ping = await topology.InAAsync("ping", "-c", "20", "-i", "0.2", "-s", "1000", StriperPair.TunnelB);
        var recorded = await capture;
        Assert.True(ping.Succeeded, ping.Output + ping.Error);

        // The pre-shared key leaks: every hello opens, so the attacker has both randoms and public keys.
        var psk = Convert.FromBase64String(pair.SpecA.Striper!.Key);
        using var helloCipher = new AeadCipher(StriperCipher.Aes256Gcm, KeySchedule.HelloKey(KeySchedule.ExtractPrk(psk)));
        var shares = new Dictionary<string, (byte[] Random, byte[] PublicKey)>();
        var data = new List<byte[]>();
        foreach (var datagram in recorded)
        {
            Assert.True(WireHeader.TryParse(datagram, out var header));
            if (header.Type == MessageType.Data)
            {
                data.Add(datagram);
                continue;
            }

            var body = new byte[HelloMessage.Length];
            var aad = datagram.AsSpan(0, WireFormat.HeaderLength);
            Assert.True(helloCipher.Open(aad[WireFormat.NonceOffset..], datagram.AsSpan(WireFormat.HeaderLength, HelloMessage.Length),
                datagram.AsSpan(WireFormat.HeaderLength + HelloMessage.Length), body, aad));
            Assert.True(HelloMessage.TryRead(body, 0, out var random, out var publicKey, out _));
            shares[Convert.ToHexString(random)] = (random.ToArray(), publicKey.ToArray());
        }

        var (tagA, tagB) = (pair.EngineA.Session!.RxTag, pair.EngineB.Session!.RxTag);
        var toB = data.Where(d => WireHeaderTag(d) == tagB).ToList();
        var toA = data.Where(d => WireHeaderTag(d) == tagA).ToList();
        var report = $"{recorded.Count} datagrams recorded: {shares.Count} hello shares, {toB.Count} data to B, {toA.Count} data to A";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(shares.Count >= 2 && toB.Count >= 5 && toA.Count >= 5, report);
        Assert.Contains(Convert.ToHexString(pair.EngineA.Session.MyRandom), shares.Keys);
        Assert.Contains(Convert.ToHexString(pair.EngineB.Session.MyRandom), shares.Keys);

        // Every pairing of recorded shares as a session's transcript, every key derivable without an ephemeral secret,
        // every recorded data datagram: none opens.
        var tried = 0;
        foreach (var mine in shares.Values)
        {
            foreach (var peer in shares.Values.Where(p => !p.Random.AsSpan().SequenceEqual(mine.Random)))
            {
                var transcript = new EstablishedSession(mine.Random, mine.PublicKey, peer.Random, peer.PublicKey);
                foreach (var key in PskOnlyKeys.Candidates(psk, transcript, mine.Random))
                {
                    using var guess = new AeadCipher(StriperCipher.Aes256Gcm, key);
                    foreach (var datagram in toA.Concat(toB))
                    {
                        var length = datagram.Length - WireFormat.HeaderLength - WireFormat.TagLength;
                        Assert.False(guess.Open(datagram.AsSpan(WireFormat.NonceOffset, WireFormat.NonceLength), datagram.AsSpan(WireFormat.HeaderLength, length),
                            datagram.AsSpan(WireFormat.HeaderLength + length), new byte[length], default), "a recorded datagram opened without the ephemeral secrets");
                        tried++;
                    }
                }
            }
        }

        Assert.True(tried > 0);
    }

    [Fact(Timeout = 120_000)]
    public async Task PeerOfProtocolVersionOne_HellosRefusedCountedAndLoggedOnce()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await NamespaceTopology.CreateAsync(1);
        using var pair = await StriperPair.StartAsync(topology);
        var before = pair.EngineB.GetSnapshot();

        // Hellos exactly as a version 1 peer with the same pre-shared key sends them (docs/striper-protocol.md before
        // version 2): first byte 0x11, 76-byte body sealed with the version 1 hello key.
        var psk = Convert.FromBase64String(pair.SpecB.Striper!.Key);
        var prk1 = new byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, psk, "fleet-striper/1"u8, prk1);
        var helloKey1 = new byte[32];
        HKDF.Expand(HashAlgorithmName.SHA256, prk1, helloKey1, "hello"u8);
        using var cipher = new AeadCipher(StriperCipher.Aes256Gcm, helloKey1);
        var target = new IPEndPoint(IPAddress.Parse(NamespaceTopology.AddressB(0)), StriperPair.Port);
        using var peer = topology.UdpSocketInA();
        const int Sent = 10;
        for (var i = 0; i < Sent; i++)
        {
            var hello = new byte[20 + 76 + 16];
            hello[0] = 0x11;
            RandomNumberGenerator.Fill(hello.AsSpan(8, 12));
            var body = new byte[76];
            body[0] = 1;
            RandomNumberGenerator.Fill(body.AsSpan(4, 32));
            cipher.Seal(hello.AsSpan(8, 12), body, hello.AsSpan(20, 76), hello.AsSpan(96), hello.AsSpan(0, 20));
            peer.SendTo(hello, target);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await Until.TrueAsync(() => pair.EngineB.GetSnapshot().VersionMismatch - before.VersionMismatch >= Sent, TimeSpan.FromSeconds(5));
        var after = pair.EngineB.GetSnapshot();

        Assert.Equal(Sent, after.VersionMismatch - before.VersionMismatch);
        Assert.Equal(Sent, after.Paths[0].RxVersionMismatch - before.Paths[0].RxVersionMismatch);
        Assert.True(after.Malformed - before.Malformed >= Sent);
        Assert.Equal(before.Sessions, after.Sessions);
        Assert.Equal(1, pair.LogB.Count(4006));
        Assert.True((await topology.InAAsync("ping", "-c", "2", "-W", "2", StriperPair.TunnelB)).Succeeded);
    }

    private static uint WireHeaderTag(byte[] datagram) => WireHeader.TryParse(datagram, out var header) ? header.SessionTag : 0;
}
