using System.Buffers.Binary;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Fleet.Contracts.Links;
using Fleet.Striper.Crypto;
using Fleet.Striper.Interop;
using Fleet.Striper.Packets;
using Fleet.Striper.Reordering;
using Fleet.Striper.Tun;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Tests.Wire;

/// <summary>
/// Property tests: whatever bytes arrive from the network (or the TUN device), the parsers answer yes or no and never
/// throw, and any change to a sealed datagram is caught by the AEAD.
/// </summary>
public sealed unsafe class PacketParserFuzzTests
{
    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(3000);

    private static Gen<byte[]> Bytes(int max) =>
        Gen.Choose(0, max).SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n));

    /// <summary>Random bytes, half of them behind a plausible header so deeper parsers are reached.</summary>
    private static Gen<byte[]> Datagrams() =>
        Gen.OneOf(
            Bytes(1600),
            Gen.Zip(Gen.Choose(0, 15), Bytes(1600)).Select(t =>
            {
                var (type, body) = t;
                var datagram = new byte[WireFormat.HeaderLength + body.Length];
                WireFormat.WriteHeader(datagram, (MessageType)type, body.Length > 0 ? body[0] : (byte)0, 0, 0, 0x1234, (uint)(type % 9), 42);
                body.CopyTo(datagram, WireFormat.HeaderLength);
                return datagram;
            }));

    [Fact]
    public void WireParsers_RandomDatagrams_NeverThrow()
    {
        var property = Prop.ForAll(Arb.From(Datagrams()), datagram =>
        {
            if (!WireHeader.TryParse(datagram, out var header))
            {
                // What the receive loop asks of every datagram it cannot parse.
                return !WireHeader.IsHelloOfOtherVersion(datagram, out var version) || (version != WireFormat.Version && version != 0);
            }

            var body = datagram.AsSpan(WireFormat.HeaderLength, datagram.Length - WireFormat.HeaderLength - WireFormat.TagLength);
            Span<(byte, uint)> entries = stackalloc (byte, uint)[ReportMessage.MaxEntries];
            switch (header.Type)
            {
                case MessageType.Hello:
                    if (HelloMessage.TryRead(body, 0, out var random, out var publicKey, out var echo)
                        && (random.Length != HelloMessage.RandomLength || echo.Length != HelloMessage.RandomLength || EphemeralShare.IsValidPublicKey(publicKey)))
                    {
                        return false; // wrong field sizes, or random bytes taken for a curve point
                    }

                    break;
                case MessageType.Data:
                    var meta = DataMeta.Read(datagram.AsSpan(WireFormat.HeaderLength));
                    FlowClassifier.Classify(datagram.AsSpan(WireFormat.HeaderLength + WireFormat.DataMetaLength));
                    _ = meta.FlowClass < FlowClassifier.ClassCount;
                    break;
                case MessageType.Probe:
                    ProbeMessage.TryRead(body, out _);
                    break;
                case MessageType.ProbeAck:
                    ProbeAckMessage.TryRead(body, out _);
                    break;
                case MessageType.Report:
                    ReportMessage.TryRead(body, out _, out _, entries, out _);
                    break;
                case MessageType.SpeedTest:
                    SpeedTestMessage.TryRead(body, out _);
                    break;
                case MessageType.SpeedTestAck:
                    SpeedTestAckMessage.TryRead(body, out _);
                    break;
                default:
                    return false; // TryParse let an unknown type through
            }

            return header.Type == MessageType.Hello || header.Stream < WireFormat.MaxStreams;
        });

        Check.One(s_config, property);
    }

    /// <summary>
    /// Opened hello bodies as a peer holding the pre-shared key could send them: mostly of this version and cipher with
    /// no flags (so every field is reached), with random randoms, echoes and public keys, some of them real P-256 keys.
    /// </summary>
    private static Gen<byte[]> HelloBodies()
    {
        var keys = Enumerable.Range(0, 8).Select(_ =>
        {
            using var share = new EphemeralShare();
            return share.PublicKey;
        }).ToArray();
        return from body in Gen.OneOf(Bytes(HelloMessage.Length + 4), Bytes(HelloMessage.Length).Select(b => b.Length == HelloMessage.Length ? b : new byte[HelloMessage.Length]))
               from header in Gen.Choose(0, 9)
               from key in Gen.Choose(-8, keys.Length - 1)
               select Shape(body, header, key < 0 ? null : keys[key]);

        static byte[] Shape(byte[] body, int header, byte[]? key)
        {
            if (body.Length >= 4 && header > 1)
            {
                body[0] = WireFormat.Version;
                body[1] = (byte)(header == 2 ? 1 : 0);
                body[2] = (byte)(header == 3 ? 1 : 0);
                body[3] = 0;
            }

            if (key is not null && body.Length == HelloMessage.Length)
            {
                key.CopyTo(body, 36);
            }

            return body;
        }
    }

    [Fact]
    public void HelloBody_RandomFieldsAndKeys_ReadOrRefusedNeverThrow()
    {
        using var own = new EphemeralShare();
        var read = 0;
        var agreed = 0;
        var property = Prop.ForAll(Arb.From(HelloBodies()), body =>
        {
            if (!HelloMessage.TryRead(body, 0, out var random, out var publicKey, out var echo))
            {
                return body.Length != HelloMessage.Length || body[0] != WireFormat.Version || body[1] != 0 || body[2] != 0 || body[3] != 0;
            }

            read++;
            var valid = EphemeralShare.IsValidPublicKey(publicKey);
            var agrees = own.TryAgree(publicKey, out var secret);
            agreed += agrees ? 1 : 0;
            return random.Length == 32 && echo.Length == 32 && publicKey.Length == 64 && valid == agrees && (!agrees || secret.Length == 32);
        });

        Check.One(s_config, property);

        // The generator reached both sides of every check.
        Assert.True(read > 100, $"{read} bodies read");
        Assert.InRange(agreed, 1, read - 1);
    }

    [Fact]
    public void Open_RandomCiphertext_FalseNeverThrows()
    {
        using var cipher = new AeadCipher(StriperCipher.Aes256Gcm, RandomNumberGenerator.GetBytes(32));
        var property = Prop.ForAll(Arb.From(Datagrams()), datagram =>
        {
            if (datagram.Length < WireFormat.MinDatagram)
            {
                return true;
            }

            var bodyLength = datagram.Length - WireFormat.MinDatagram;
            var aad = datagram.AsSpan(0, WireFormat.HeaderLength);
            return !cipher.Open(aad.Slice(8, 12), datagram.AsSpan(WireFormat.HeaderLength, bodyLength), datagram.AsSpan(WireFormat.HeaderLength + bodyLength), new byte[bodyLength], aad);
        });

        Check.One(s_config, property);
    }

    [Fact]
    public void Open_SealedDataDatagramWithNonceCiphertextOrTagChanged_Rejected()
    {
        // Data is sealed without associated data: the header's first 8 bytes only select the key (type, epoch,
        // session tag), so changing them can only make the receiver pick a wrong key. Everything from the nonce on
        // is covered by the tag.
        using var cipher = new AeadCipher(StriperCipher.Aes256Gcm, RandomNumberGenerator.GetBytes(32));
        var gen = from plain in Bytes(1400)
                  from position in Gen.Choose(0, int.MaxValue)
                  from mask in Gen.Choose(1, 255)
                  select (plain, position, mask);
        var property = Prop.ForAll(Arb.From(gen), t =>
        {
            var (packet, where, xor) = t;
            var plaintext = new byte[WireFormat.DataMetaLength + packet.Length];
            DataMeta.Write(plaintext, new DataFields { Flags = 1, FlowClass = 3, ClassSequence = 4, Global = 7, TrafficClass = 2, FecData = 8, FecParity = 1, FecIndex = 3, FecBlock = 9 }, 2, 5, 6);
            packet.CopyTo(plaintext, WireFormat.DataMetaLength);
            var datagram = new byte[WireFormat.HeaderLength + plaintext.Length + WireFormat.TagLength];
            WireFormat.WriteHeader(datagram, MessageType.Data, 0, 0, 1, 77, 0, (ulong)where);
            cipher.Seal(datagram.AsSpan(8, 12), plaintext, datagram.AsSpan(WireFormat.HeaderLength, plaintext.Length), datagram.AsSpan(WireFormat.HeaderLength + plaintext.Length), default);

            var position = WireFormat.NonceOffset + (where % (datagram.Length - WireFormat.NonceOffset));
            datagram[position] ^= (byte)xor;

            return !cipher.Open(datagram.AsSpan(8, 12), datagram.AsSpan(WireFormat.HeaderLength, plaintext.Length), datagram.AsSpan(WireFormat.HeaderLength + plaintext.Length), new byte[plaintext.Length], default);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), property);
    }

    [Fact]
    public void DataMeta_RoundTrip()
    {
        var meta = new byte[WireFormat.DataMetaLength];

        var fields = new DataFields
        {
            Flags = WireFormat.DataFlagChecksumPartial, FlowClass = 63, ClassSequence = 0xfffffffe, Global = ulong.MaxValue - 1,
            TrafficClass = 32, FecData = 31, FecParity = 8, FecIndex = 30, FecBlock = 0xfffffffd,
        };
        DataMeta.Write(meta, fields, 3, 77, 123456789);
        var read = DataMeta.Read(meta);

        Assert.Equal((byte)MessageType.Data, read.Type);
        Assert.Equal(WireFormat.DataFlagChecksumPartial, read.Flags);
        Assert.Equal(3, read.PathId);
        Assert.Equal(63, read.FlowClass);
        Assert.Equal(0xfffffffeu, read.ClassSequence);
        Assert.Equal(77u, read.PathSequence);
        Assert.Equal(123456789u, read.SendTimeMicros);
        Assert.Equal(ulong.MaxValue - 1, read.GlobalSequence);
        Assert.Equal(32, read.TrafficClass);
        Assert.Equal(31, read.FecData);
        Assert.Equal(8, read.FecParity);
        Assert.Equal(30, read.FecIndex);
        Assert.Equal(0xfffffffdu, read.FecBlock);
        Assert.False(read.IsParity);
    }

    [Fact]
    public void InnerPacketPath_RandomPacketsAndOffloadHeaders_NeverThrowAndReturnEverySlot()
    {
        using var slots = new PacketSlots(256, 2048);
        var sink = new NullSink();
        using var writer = new TunWriter(sink, slots, vnetHeader: true);
        using var plainWriter = new TunWriter(sink, slots, vnetHeader: false);
        var template = new byte[TsoSegmenter.MaxHeaderLength];

        // Random packets, and random packets that start like IPv4/IPv6 TCP so the deeper checks are reached.
        var packets = Gen.OneOf(
            Bytes(2000),
            Bytes(2000).Select(b =>
            {
                if (b.Length >= 40)
                {
                    b[0] = (byte)(b[0] % 2 == 0 ? 0x45 : 0x60);
                    b[9] = IpHeaders.ProtocolTcp;
                    b[6] = b[0] == 0x60 ? IpHeaders.ProtocolTcp : (byte)0;
                    BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)b.Length);
                    BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), (ushort)(b.Length - 40));
                }

                return b;
            }));
        var gen = from packet in packets
                  from type in Gen.Choose(0, 255)
                  from size in Gen.Choose(0, 3000)
                  select (packet, type, size);
        var property = Prop.ForAll(Arb.From(gen), t =>
        {
            var (packet, gsoType, gsoSize) = t;
            var parsed = IpHeaders.TryParse(packet, out _, out var headerLength, out _);
            var flowClass = FlowClassifier.Classify(packet);
            if (flowClass is < 0 or >= FlowClassifier.ClassCount || (parsed && headerLength > packet.Length))
            {
                return false;
            }
            var header = new VirtioNetHeader { GsoType = (byte)gsoType, GsoSize = (ushort)gsoSize, CsumStart = (ushort)gsoSize, CsumOffset = (ushort)(gsoType % 32) };
            IpHeaders.CompletePartialChecksum((byte[])packet.Clone(), header.CsumStart, header.CsumOffset);
            if (TsoSegmenter.TryCreate((byte[])packet.Clone(), header, template, out var segmenter))
            {
                var count = 0;
                while (segmenter.MoveNext(out var segment) && count++ < 200)
                {
                    _ = segment.Length;
                }
            }

            foreach (var target in new[] { writer, plainWriter })
            {
                if (packet.Length <= slots.SlotSize)
                {
                    var slot = slots.Rent();
                    packet.CopyTo(new Span<byte>(slots.Pointer(slot), packet.Length));
                    slots.Length[slot] = packet.Length;
                    slots.ChecksumPartial[slot] = gsoType % 2 == 0;
                    target.Add(slot);
                }

                target.Flush();
            }

            return slots.Available == slots.Count;
        });

        Check.One(s_config, property);
    }

    private sealed class NullSink : IPacketSink
    {
        public int Write(IoVec* iov, int count, out Errno error)
        {
            var total = 0;
            for (var i = 0; i < count; i++)
            {
                total += (int)iov[i].Length;
                _ = new ReadOnlySpan<byte>(iov[i].Base, (int)iov[i].Length).IndexOf((byte)0xAB);
            }

            error = Errno.None;
            return total;
        }
    }
}
