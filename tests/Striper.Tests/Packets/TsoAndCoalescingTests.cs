using System.Buffers.Binary;
using System.Security.Cryptography;
using Fleet.Striper.Interop;
using Fleet.Striper.Packets;
using Fleet.Striper.Reordering;
using Fleet.Striper.Tun;

namespace Fleet.Striper.Tests.Packets;

public sealed unsafe class TsoAndCoalescingTests : IDisposable
{
    private readonly PacketSlots _slots = new(512, 2048);

    public void Dispose() => _slots.Dispose();

    private static (byte[] Packet, VirtioNetHeader Header) SuperPacket(bool ipv6, byte[] payload, int mss, byte flags, uint sequence = 1000)
    {
        var packet = TestPackets.Tcp(ipv6, payload, sequence, flags);
        var ipHeader = ipv6 ? 40 : 20;

        // As the kernel hands it over: CHECKSUM_PARTIAL, the field holding the pseudo-header sum.
        IpHeaders.SetTcpPartialChecksum(packet, ipv6, ipHeader, packet.Length - ipHeader);
        var header = new VirtioNetHeader
        {
            Flags = VirtioNetHeader.FlagNeedsChecksum,
            GsoType = ipv6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4,
            HeaderLength = (ushort)(ipHeader + 32),
            GsoSize = (ushort)mss,
            CsumStart = (ushort)ipHeader,
            CsumOffset = 16,
        };
        return (packet, header);
    }

    private static List<byte[]> Segment(byte[] packet, VirtioNetHeader header)
    {
        var template = new byte[TsoSegmenter.MaxHeaderLength];
        Assert.True(TsoSegmenter.TryCreate(packet, header, template, out var segmenter));
        var segments = new List<byte[]>();
        while (segmenter.MoveNext(out var segment))
        {
            segments.Add(segment.ToArray()); // copy now: the next segment's headers overwrite this one's tail
        }

        return segments;
    }

    private int ToSlot(byte[] packet, bool partial)
    {
        var slot = _slots.Rent();
        packet.CopyTo(new Span<byte>(_slots.Pointer(slot), packet.Length));
        _slots.Length[slot] = packet.Length;
        _slots.ChecksumPartial[slot] = partial;
        return slot;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Segment_SuperPacket_SegmentsCarryTsoFields(bool ipv6)
    {
        var payload = RandomNumberGenerator.GetBytes(10_000);
        var (packet, header) = SuperPacket(ipv6, payload, 1400, IpHeaders.TcpAck | IpHeaders.TcpPsh | IpHeaders.TcpFin | IpHeaders.TcpCwr);
        var ipHeader = ipv6 ? 40 : 20;

        var segments = Segment(packet, header);

        Assert.Equal(8, segments.Count);
        for (var k = 0; k < segments.Count; k++)
        {
            var segment = segments[k];
            var tcp = segment.AsSpan(ipHeader);
            var expected = Math.Min(1400, payload.Length - (k * 1400));
            Assert.Equal(ipHeader + 32 + expected, segment.Length);
            Assert.Equal(segment.Length, IpHeaders.DeclaredLength(segment, ipv6));
            Assert.Equal(1000u + (uint)(k * 1400), BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]));
            Assert.Equal(payload.AsSpan(k * 1400, expected).ToArray(), tcp[32..].ToArray());
            var last = k == segments.Count - 1;
            Assert.Equal(last, (tcp[13] & IpHeaders.TcpFin) != 0);
            Assert.Equal(last, (tcp[13] & IpHeaders.TcpPsh) != 0);
            Assert.Equal(k == 0, (tcp[13] & IpHeaders.TcpCwr) != 0);
            if (!ipv6)
            {
                Assert.True(TestPackets.Ipv4HeaderChecksumValid(segment));
                Assert.Equal(7 + k, BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(4)));
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SegmentThenCoalesce_OneGsoWriteEqualToTheSuperPacket(bool ipv6)
    {
        var payload = RandomNumberGenerator.GetBytes(30_000);
        var (packet, header) = SuperPacket(ipv6, payload, 1360, IpHeaders.TcpAck | IpHeaders.TcpPsh);
        var original = (byte[])packet.Clone();
        var sink = new CaptureSink();
        using var writer = new TunWriter(sink, _slots, vnetHeader: true);

        foreach (var segment in Segment(packet, header))
        {
            writer.Add(ToSlot(segment, partial: true));
        }

        writer.Flush();

        var (vnet, written) = Assert.Single(sink.Writes);
        var ipHeader = ipv6 ? 40 : 20;
        Assert.Equal(ipv6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4, vnet.GsoType);
        Assert.Equal(1360, vnet.GsoSize);
        Assert.Equal(VirtioNetHeader.FlagNeedsChecksum, vnet.Flags);
        Assert.Equal(ipHeader, vnet.CsumStart);
        Assert.Equal(16, vnet.CsumOffset);
        Assert.Equal(original.Length, written.Length);
        Assert.Equal(original.AsSpan(ipHeader + 32).ToArray(), written.AsSpan(ipHeader + 32).ToArray());
        Assert.Equal(IpHeaders.TcpAck | IpHeaders.TcpPsh, written[ipHeader + 13]);

        // Completing the partial checksum as the kernel would gives a packet whose checksum verifies.
        IpHeaders.CompletePartialChecksum(written, vnet.CsumStart, vnet.CsumOffset);
        Assert.True(TestPackets.TcpChecksumValid(written));
        if (!ipv6)
        {
            Assert.True(TestPackets.Ipv4HeaderChecksumValid(written));
        }

        Assert.Equal(512, _slots.Available);
    }

    [Fact]
    public void Coalesce_StopsAtFlowChangeShortSegmentAndNonTcp()
    {
        var sink = new CaptureSink();
        using var writer = new TunWriter(sink, _slots, vnetHeader: true);
        var chunk = RandomNumberGenerator.GetBytes(1000);

        writer.Add(ToSlot(TestPackets.Tcp(false, chunk, 0), false));
        writer.Add(ToSlot(TestPackets.Tcp(false, chunk, 1000), false));
        writer.Add(ToSlot(TestPackets.Tcp(false, chunk[..500], 2000), false)); // short: ends the run
        writer.Add(ToSlot(TestPackets.Tcp(false, chunk, 2500), false));
        writer.Add(ToSlot(TestPackets.Tcp(false, chunk, 0, sourcePort: 40001), false)); // another flow
        writer.Add(ToSlot(TestPackets.Udp(false, chunk), false));
        writer.Add(ToSlot(TestPackets.Tcp(false, chunk, 3500), false));
        writer.Add(ToSlot(TestPackets.Tcp(false, chunk, 9999), false)); // not contiguous
        writer.Flush();

        Assert.Equal([3, 1, 1, 1, 1, 1], sink.Writes.Select(w => SegmentsIn(w.Vnet, w.Packet)).ToArray());
        Assert.Equal(VirtioNetHeader.GsoNone, sink.Writes[3].Vnet.GsoType);
        Assert.Equal(0, sink.Writes[3].Vnet.Flags); // UDP: checksum already complete
        Assert.Equal(512, _slots.Available);
    }

    [Fact]
    public void Coalesce_StaysWithin64KiB()
    {
        var sink = new CaptureSink();
        using var writer = new TunWriter(sink, _slots, vnetHeader: true);
        var chunk = RandomNumberGenerator.GetBytes(1400);

        for (var i = 0; i < 100; i++)
        {
            writer.Add(ToSlot(TestPackets.Tcp(false, chunk, (uint)(i * 1400)), false));
        }

        writer.Flush();

        Assert.All(sink.Writes, w => Assert.True(w.Packet.Length <= 65535));
        Assert.Equal(100, sink.Writes.Sum(w => SegmentsIn(w.Vnet, w.Packet)));
        Assert.Equal(100 * 1400, sink.Writes.Sum(w => w.Packet.Length - 52));
    }

    [Fact]
    public void WithoutVnet_PartialChecksumCompletedPerPacket()
    {
        var payload = RandomNumberGenerator.GetBytes(5000);
        var (packet, header) = SuperPacket(false, payload, 1400, IpHeaders.TcpAck);
        var sink = new CaptureSink(vnet: false);
        using var writer = new TunWriter(sink, _slots, vnetHeader: false);

        foreach (var segment in Segment(packet, header))
        {
            writer.Add(ToSlot(segment, partial: true));
        }

        writer.Flush();

        Assert.Equal(4, sink.Writes.Count);
        Assert.All(sink.Writes, w => Assert.True(TestPackets.TcpChecksumValid(w.Packet)));
    }

    [Fact]
    public void TryCreate_NotTcpOrBroken_False()
    {
        var template = new byte[TsoSegmenter.MaxHeaderLength];
        var udp = TestPackets.Udp(false, new byte[3000]);
        var header = new VirtioNetHeader { GsoType = VirtioNetHeader.GsoTcpV4, GsoSize = 1400 };

        Assert.False(TsoSegmenter.TryCreate(udp, header, template, out _));
        Assert.False(TsoSegmenter.TryCreate(TestPackets.Tcp(false, new byte[100], 0), header with { GsoSize = 0 }, template, out _));
        Assert.False(TsoSegmenter.TryCreate(TestPackets.Tcp(true, new byte[100], 0), header, template, out _));
    }

    private static int SegmentsIn(VirtioNetHeader vnet, byte[] packet)
    {
        if (vnet.GsoType == VirtioNetHeader.GsoNone)
        {
            return 1;
        }

        var payload = packet.Length - vnet.HeaderLength;
        return (payload + vnet.GsoSize - 1) / vnet.GsoSize;
    }

    private sealed class CaptureSink(bool vnet = true) : IPacketSink
    {
        public List<(VirtioNetHeader Vnet, byte[] Packet)> Writes { get; } = [];

        public int Write(IoVec* iov, int count, out Errno error)
        {
            var bytes = new List<byte>();
            for (var i = 0; i < count; i++)
            {
                bytes.AddRange(new ReadOnlySpan<byte>(iov[i].Base, (int)iov[i].Length).ToArray());
            }

            var all = bytes.ToArray();
            Writes.Add(vnet ? (VirtioNetHeader.Read(all), all[VirtioNetHeader.Length..]) : (default, all));
            error = Errno.None;
            return all.Length;
        }
    }
}
