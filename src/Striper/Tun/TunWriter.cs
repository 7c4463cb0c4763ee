using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Fleet.Striper.Interop;
using Fleet.Striper.Packets;
using Fleet.Striper.Reordering;

namespace Fleet.Striper.Tun;

/// <summary>Where the TUN writer's packets go: the TUN queue, or a capture in tests.</summary>
internal unsafe interface IPacketSink
{
    /// <summary>Writes one packet gathered from <paramref name="count"/> buffers; -1 with errno on failure.</summary>
    int Write(IoVec* iov, int count, out Errno error);
}

/// <summary>Counters of the TUN writer.</summary>
internal struct TunWriterCounters
{
    public long Packets;
    public long Writes;
    public long Bytes;
    public long Errors;
    public int LastError;
}

/// <summary>
/// Writes released packets to the TUN device. With a virtio header it coalesces consecutive segments of one TCP flow
/// into a single GSO write (receive offload in userspace, the same idea as LRO in seed 003: one large packet costs
/// the stack far less than forty small ones), gathered with writev straight from the packet slots; every TCP
/// packet goes up as CHECKSUM_PARTIAL (NEEDS_CSUM), so neither side computes a TCP checksum in software.
/// Without a virtio header it writes packets one by one and completes checksums the sender left partial.
/// </summary>
internal sealed unsafe class TunWriter : IDisposable, IReleaseSink
{
    /// <summary>Most segments in one coalesced write.</summary>
    public const int MaxSegments = 64;

    private const int MaxCoalescedLength = 65535;
    private readonly IPacketSink _sink;
    private readonly PacketSlots _slots;
    private readonly bool _vnet;
    private readonly IoVec* _iov;
    private readonly byte* _vnetHeader;
    private readonly int[] _pending = new int[MaxSegments];
    private int _pendingCount;
    private bool _pendingIpv6;
    private int _pendingIpHeaderLength;
    private int _pendingHeaderLength;
    private int _pendingGsoSize;
    private int _pendingPayload;
    private int _pendingLastPayload;
    private uint _pendingNextSequence;
    private bool _pendingPush;
    private TunWriterCounters _counters;

    public TunWriter(IPacketSink sink, PacketSlots slots, bool vnetHeader)
    {
        _sink = sink;
        _slots = slots;
        _vnet = vnetHeader;
        _iov = (IoVec*)NativeMemory.AlignedAlloc((nuint)(sizeof(IoVec) * (MaxSegments + 2)), 16);
        _vnetHeader = (byte*)NativeMemory.AlignedAlloc(16, 16);
    }

    public TunWriterCounters Counters => _counters;

    /// <inheritdoc />
    public void Release(int slot) => Add(slot);

    /// <summary>Queues the packet in <paramref name="slot"/>; the slot returns to the pool once written.</summary>
    public void Add(int slot)
    {
        var packet = _slots.Packet(slot);
        if (!_vnet)
        {
            WriteWithoutVnet(slot, packet);
            return;
        }

        if (!TryParseCoalescable(packet, out var ipv6, out var ipHeaderLength, out var headerLength, out var payload))
        {
            Flush();
            WriteSingle(slot, packet);
            return;
        }

        if (_pendingCount > 0 && !CanAppend(packet, ipv6, ipHeaderLength, headerLength, payload))
        {
            Flush();
        }

        var tcp = packet[ipHeaderLength..];
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]);
        if (_pendingCount == 0)
        {
            _pendingIpv6 = ipv6;
            _pendingIpHeaderLength = ipHeaderLength;
            _pendingHeaderLength = headerLength;
            _pendingGsoSize = payload;
            _pendingPayload = 0;
        }

        _pending[_pendingCount++] = slot;
        _pendingPayload += payload;
        _pendingLastPayload = payload;
        _pendingNextSequence = sequence + (uint)payload;
        _pendingPush = (tcp[13] & IpHeaders.TcpPsh) != 0;
        if (_pendingPush || _pendingCount == MaxSegments)
        {
            Flush();
        }
    }

    /// <summary>Writes whatever is pending.</summary>
    public void Flush()
    {
        if (_pendingCount == 0)
        {
            return;
        }

        if (_pendingCount == 1)
        {
            var only = _pending[0];
            _pendingCount = 0;
            WriteSingle(only, _slots.Packet(only));
            return;
        }

        var first = _slots.Packet(_pending[0]);
        var total = _pendingHeaderLength + _pendingPayload;
        IpHeaders.SetLength(first, _pendingIpv6, total);
        if (!_pendingIpv6)
        {
            IpHeaders.SetIpv4HeaderChecksum(first, _pendingIpHeaderLength);
        }

        if (_pendingPush)
        {
            first[_pendingIpHeaderLength + 13] |= IpHeaders.TcpPsh;
        }

        IpHeaders.SetTcpPartialChecksum(first, _pendingIpv6, _pendingIpHeaderLength, total - _pendingIpHeaderLength);
        var header = new VirtioNetHeader
        {
            Flags = VirtioNetHeader.FlagNeedsChecksum,
            GsoType = _pendingIpv6 ? VirtioNetHeader.GsoTcpV6 : VirtioNetHeader.GsoTcpV4,
            HeaderLength = (ushort)_pendingHeaderLength,
            GsoSize = (ushort)_pendingGsoSize,
            CsumStart = (ushort)_pendingIpHeaderLength,
            CsumOffset = 16,
        };
        header.Write(new Span<byte>(_vnetHeader, VirtioNetHeader.Length));
        _iov[0].Base = _vnetHeader;
        _iov[0].Length = VirtioNetHeader.Length;
        _iov[1].Base = _slots.Pointer(_pending[0]);
        _iov[1].Length = (nuint)_slots.Length[_pending[0]];
        for (var i = 1; i < _pendingCount; i++)
        {
            _iov[i + 1].Base = _slots.Pointer(_pending[i]) + _pendingHeaderLength;
            _iov[i + 1].Length = (nuint)(_slots.Length[_pending[i]] - _pendingHeaderLength);
        }

        Submit(_pendingCount + 1, total, _pendingCount);
        for (var i = 0; i < _pendingCount; i++)
        {
            _slots.Return(_pending[i]);
        }

        _pendingCount = 0;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_iov);
        NativeMemory.AlignedFree(_vnetHeader);
    }

    private static bool TryParseCoalescable(ReadOnlySpan<byte> packet, out bool ipv6, out int ipHeaderLength, out int headerLength, out int payload)
    {
        headerLength = 0;
        payload = 0;
        if (!IpHeaders.TryParse(packet, out ipv6, out ipHeaderLength, out var protocol) || protocol != IpHeaders.ProtocolTcp)
        {
            return false;
        }

        if (!ipv6 && (ipHeaderLength != 20 || IpHeaders.IsIpv4Fragment(packet)))
        {
            return false;
        }

        if (packet.Length < ipHeaderLength + 20 || IpHeaders.DeclaredLength(packet, ipv6) != packet.Length)
        {
            return false;
        }

        var tcp = packet[ipHeaderLength..];
        var tcpHeaderLength = (tcp[12] >> 4) * 4;
        headerLength = ipHeaderLength + tcpHeaderLength;
        payload = packet.Length - headerLength;
        const byte notCoalescable = IpHeaders.TcpSyn | IpHeaders.TcpFin | IpHeaders.TcpRst | IpHeaders.TcpUrg | IpHeaders.TcpCwr;
        return tcpHeaderLength >= 20 && payload > 0 && (tcp[13] & notCoalescable) == 0 && (tcp[13] & IpHeaders.TcpAck) != 0;
    }

    private bool CanAppend(ReadOnlySpan<byte> packet, bool ipv6, int ipHeaderLength, int headerLength, int payload)
    {
        if (ipv6 != _pendingIpv6 || headerLength != _pendingHeaderLength || _pendingLastPayload != _pendingGsoSize
            || payload > _pendingGsoSize || _pendingHeaderLength + _pendingPayload + payload > MaxCoalescedLength)
        {
            return false;
        }

        var first = _slots.Packet(_pending[0]);
        if (ipv6)
        {
            // Version, traffic class, flow label; next header; hop limit; addresses.
            if (!packet[..4].SequenceEqual(first[..4]) || !packet.Slice(6, 34).SequenceEqual(first.Slice(6, 34)))
            {
                return false;
            }
        }
        else if (packet[1] != first[1] || packet[6] != first[6] || !packet.Slice(8, 2).SequenceEqual(first.Slice(8, 2))
            || !packet.Slice(12, 8).SequenceEqual(first.Slice(12, 8)))
        {
            // TOS (ECN included), DF, TTL and protocol, addresses.
            return false;
        }

        var tcp = packet[ipHeaderLength..];
        var firstTcp = first[ipHeaderLength..];
        return BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]) == _pendingNextSequence
            && tcp[..4].SequenceEqual(firstTcp[..4])
            && tcp.Slice(8, 4).SequenceEqual(firstTcp.Slice(8, 4))
            && (tcp[13] & ~IpHeaders.TcpPsh) == (firstTcp[13] & ~IpHeaders.TcpPsh)
            && tcp.Slice(14, 2).SequenceEqual(firstTcp.Slice(14, 2))
            && tcp[20..(headerLength - ipHeaderLength)].SequenceEqual(firstTcp[20..(headerLength - ipHeaderLength)]);
    }

    private void WriteSingle(int slot, Span<byte> packet)
    {
        var header = default(VirtioNetHeader);
        if (IpHeaders.TryParse(packet, out var ipv6, out var ipHeaderLength, out var protocol)
            && protocol == IpHeaders.ProtocolTcp && (ipv6 || !IpHeaders.IsIpv4Fragment(packet))
            && packet.Length >= ipHeaderLength + 20)
        {
            IpHeaders.SetTcpPartialChecksum(packet, ipv6, ipHeaderLength, packet.Length - ipHeaderLength);
            header.Flags = VirtioNetHeader.FlagNeedsChecksum;
            header.CsumStart = (ushort)ipHeaderLength;
            header.CsumOffset = 16;
        }

        header.Write(new Span<byte>(_vnetHeader, VirtioNetHeader.Length));
        _iov[0].Base = _vnetHeader;
        _iov[0].Length = VirtioNetHeader.Length;
        _iov[1].Base = _slots.Pointer(slot);
        _iov[1].Length = (nuint)packet.Length;
        Submit(2, packet.Length, 1);
        _slots.Return(slot);
    }

    private void WriteWithoutVnet(int slot, Span<byte> packet)
    {
        if (_slots.ChecksumPartial[slot] && IpHeaders.TryParse(packet, out var ipv6, out var ipHeaderLength, out var protocol)
            && protocol == IpHeaders.ProtocolTcp && packet.Length >= ipHeaderLength + 20)
        {
            IpHeaders.SetTcpChecksum(packet, ipv6, ipHeaderLength);
        }

        _iov[0].Base = _slots.Pointer(slot);
        _iov[0].Length = (nuint)packet.Length;
        Submit(1, packet.Length, 1);
        _slots.Return(slot);
    }

    private void Submit(int iovCount, int bytes, int packets)
    {
        if (_sink.Write(_iov, iovCount, out var error) < 0)
        {
            _counters.Errors++;
            _counters.LastError = (int)error;
            return;
        }

        _counters.Writes++;
        _counters.Packets += packets;
        _counters.Bytes += bytes;
    }
}
