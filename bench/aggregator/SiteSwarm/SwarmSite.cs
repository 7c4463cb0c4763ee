using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Striper.Crypto;
using Fleet.Striper.Wire;

namespace Fleet.Bench.SiteSwarm;

/// <summary>What one site's handshake took, from the swarm's start: its session keys agreed, and the aggregator's first session packet.</summary>
internal readonly record struct SwarmSiteResult(int SiteId, double EstablishedMs, double ConfirmedMs, int HellosSent);

/// <summary>
/// One lightweight site: a UDP socket of its own, the striper's <see cref="Handshake"/> and hello sealing with the site's
/// key, and nothing else (no TUN, no data path). It is established when the aggregator's hello echoed its random (the
/// keys are agreed here), and confirmed when the aggregator's first session packet arrives (the aggregator holds the
/// keys too and has begun probing the path).
/// </summary>
internal sealed class SwarmSite(int siteId, string base64Key, IPEndPoint aggregator)
{
    private static readonly TimeSpan s_resend = TimeSpan.FromMilliseconds(500);

    public async Task<SwarmSiteResult> RunAsync(Stopwatch clock, CancellationToken cancellationToken)
    {
        using var socket = new Socket(aggregator.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(aggregator);
        using var handshake = new Handshake();
        var key = Convert.FromBase64String(base64Key);
        using var cipher = new AeadCipher(StriperCipher.Aes256Gcm, KeySchedule.HelloKey(KeySchedule.ExtractPrk(key)));
        CryptographicOperations.ZeroMemory(key);
        var buffer = new byte[2048];
        var established = double.NaN;
        var hellos = 0;
        while (true)
        {
            // Until the aggregator shows it holds the keys, the current hello goes out again now and then: the first
            // burst of a thousand hellos may overflow a socket buffer on the way.
            await socket.SendAsync(SealHello(cipher, handshake.HelloToSend), cancellationToken);
            hellos++;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(s_resend);
            try
            {
                while (true)
                {
                    var length = await socket.ReceiveAsync(buffer, wait.Token);
                    var datagram = buffer.AsSpan(0, length);
                    if (!WireHeader.TryParse(datagram, out var header))
                    {
                        continue;
                    }

                    if (header.Type != MessageType.Hello)
                    {
                        if (!double.IsNaN(established))
                        {
                            return new SwarmSiteResult(siteId, established, clock.Elapsed.TotalMilliseconds, hellos);
                        }

                        continue;
                    }

                    if (OnHello(cipher, handshake, datagram) is { } reply)
                    {
                        established = double.IsNaN(established) ? clock.Elapsed.TotalMilliseconds : established;
                        await socket.SendAsync(reply, cancellationToken);
                        hellos++;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer in time: send the hello again.
            }
        }
    }

    /// <summary>The answer that completes the handshake, when <paramref name="datagram"/> is the aggregator's hello echoing ours.</summary>
    private byte[]? OnHello(AeadCipher cipher, Handshake handshake, ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length != WireFormat.HeaderLength + HelloMessage.Length + WireFormat.TagLength)
        {
            return null;
        }

        var body = new byte[HelloMessage.Length];
        var aad = datagram[..WireFormat.HeaderLength];
        if (!cipher.Open(aad.Slice(WireFormat.NonceOffset, WireFormat.NonceLength), datagram.Slice(WireFormat.HeaderLength, HelloMessage.Length),
                datagram.Slice(WireFormat.HeaderLength + HelloMessage.Length, WireFormat.TagLength), body, aad)
            || !HelloMessage.TryRead(body, 0, out var random, out var publicKey, out var echo))
        {
            return null;
        }

        var outcome = handshake.OnHello(random, publicKey, echo, out var reply);
        switch (outcome)
        {
            case HelloOutcome.Established:
                CryptographicOperations.ZeroMemory(handshake.TakeSharedSecret());
                return SealHello(cipher, reply);
            case HelloOutcome.Respond:
                return SealHello(cipher, reply);
            case HelloOutcome.None:
            case HelloOutcome.Reflected:
            case HelloOutcome.InvalidKey:
                return null;
        }

        return null;
    }

    /// <summary>A hello as the engine's control sender writes it: the site id in the tag field, sealed with the hello key.</summary>
    private byte[] SealHello(AeadCipher cipher, in HelloContent hello)
    {
        var body = new byte[HelloMessage.Length];
        HelloMessage.Write(body, 0, hello.Random, hello.PublicKey, hello.Echo, (ulong)(Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000)));
        var datagram = new byte[WireFormat.HeaderLength + HelloMessage.Length + WireFormat.TagLength];
        WireFormat.WriteHeader(datagram, MessageType.Hello, 0, 0, 0, (uint)siteId, 0, 0);
        RandomNumberGenerator.Fill(datagram.AsSpan(WireFormat.NonceOffset, WireFormat.NonceLength));
        var header = datagram.AsSpan(0, WireFormat.HeaderLength);
        cipher.Seal(header[WireFormat.NonceOffset..], body, datagram.AsSpan(WireFormat.HeaderLength, HelloMessage.Length),
            datagram.AsSpan(WireFormat.HeaderLength + HelloMessage.Length), header);
        return datagram;
    }
}
