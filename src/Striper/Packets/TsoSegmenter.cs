using System.Buffers.Binary;
using Fleet.Striper.Tun;

namespace Fleet.Striper.Packets;

/// <summary>
/// Cuts a TCP super-packet read from the TUN device (virtio GSO TCPV4/TCPV6) into MSS-sized segments, in place and
/// without copying the payload: the headers of segment k are written over the last header-length bytes of segment
/// k-1's payload, which the caller has already sealed by the time it asks for segment k. Each segment gets the IP and
/// TCP header fields TSO would give it (RFC 9293; tcp_gso_segment): length, IPv4 id and header checksum, sequence
/// number, FIN/PSH only on the last segment and CWR only on the first. The TCP checksum is left partial: the receiver
/// completes it or hands it to its kernel as CHECKSUM_PARTIAL.
/// </summary>
internal ref struct TsoSegmenter
{
    /// <summary>Largest IP + TCP header the segmenter handles (60 + 60).</summary>
    public const int MaxHeaderLength = 120;

    private readonly Span<byte> _packet;
    private readonly Span<byte> _template;
    private readonly bool _ipv6;
    private readonly int _ipHeaderLength;
    private readonly int _headerLength;
    private readonly int _mss;
    private readonly int _payloadLength;
    private readonly int _count;
    private readonly uint _sequence;
    private readonly ushort _ipId;
    private readonly byte _flags;
    private int _index;

    private TsoSegmenter(Span<byte> packet, Span<byte> template, bool ipv6, int ipHeaderLength, int headerLength, int mss)
    {
        _packet = packet;
        _template = template;
        _ipv6 = ipv6;
        _ipHeaderLength = ipHeaderLength;
        _headerLength = headerLength;
        _mss = mss;
        _payloadLength = packet.Length - headerLength;
        _count = (_payloadLength + mss - 1) / mss;
        _sequence = BinaryPrimitives.ReadUInt32BigEndian(packet[(ipHeaderLength + 4)..]);
        _ipId = ipv6 ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        _flags = packet[ipHeaderLength + 13];
        _index = 0;
    }

    /// <summary>Number of segments.</summary>
    public readonly int Count => _count;

    /// <summary>
    /// Prepares to segment <paramref name="packet"/> (without its virtio header) as <paramref name="header"/> describes.
    /// False when the packet is not a TCP super-packet the segmenter understands (IPv6 extension headers, bad lengths).
    /// <paramref name="template"/> is scratch of at least <see cref="MaxHeaderLength"/> bytes.
    /// </summary>
    public static bool TryCreate(Span<byte> packet, in VirtioNetHeader header, Span<byte> template, out TsoSegmenter segmenter)
    {
        segmenter = default;
        var gsoType = header.GsoType & ~VirtioNetHeader.GsoEcn;
        if (gsoType is not (VirtioNetHeader.GsoTcpV4 or VirtioNetHeader.GsoTcpV6) || header.GsoSize == 0)
        {
            return false;
        }

        if (packet.Length < 20 || !ParseHeaders(packet, out var ipv6, out var ipHeaderLength, out var protocol))
        {
            return false;
        }

        if (protocol != IpHeaders.ProtocolTcp || ipv6 != (gsoType == VirtioNetHeader.GsoTcpV6) || packet.Length < ipHeaderLength + 20)
        {
            return false;
        }

        var tcpHeaderLength = (packet[ipHeaderLength + 12] >> 4) * 4;
        var headerLength = ipHeaderLength + tcpHeaderLength;
        if (tcpHeaderLength < 20 || headerLength > MaxHeaderLength || headerLength >= packet.Length || template.Length < headerLength)
        {
            return false;
        }

        packet[..headerLength].CopyTo(template);
        segmenter = new TsoSegmenter(packet, template, ipv6, ipHeaderLength, headerLength, header.GsoSize);
        return true;
    }

    /// <summary>
    /// The next segment (IP header, TCP header and payload), or false after the last. Writing the headers of segment
    /// k overwrites the tail of segment k-1, so call it only once segment k-1 is no longer needed.
    /// </summary>
    public bool MoveNext(out Span<byte> segment)
    {
        if (_index >= _count)
        {
            segment = default;
            return false;
        }

        var k = _index++;
        var start = k * _mss;
        var payload = Math.Min(_mss, _payloadLength - start);
        var length = _headerLength + payload;
        segment = _packet.Slice(start, length);
        if (k > 0)
        {
            _template[.._headerLength].CopyTo(segment);
        }

        if (_ipv6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(segment[4..], (ushort)(length - IpHeaders.Ipv6HeaderLength));
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(segment[2..], (ushort)length);
            BinaryPrimitives.WriteUInt16BigEndian(segment[4..], (ushort)(_ipId + k));
            IpHeaders.SetIpv4HeaderChecksum(segment, _ipHeaderLength);
        }

        var tcp = segment[_ipHeaderLength..];
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], _sequence + (uint)start);
        var flags = _flags;
        if (k != _count - 1)
        {
            flags &= unchecked((byte)~(IpHeaders.TcpFin | IpHeaders.TcpPsh));
        }

        if (k != 0)
        {
            flags &= unchecked((byte)~IpHeaders.TcpCwr);
        }

        tcp[13] = flags;
        return true;
    }

    private static bool ParseHeaders(ReadOnlySpan<byte> packet, out bool ipv6, out int ipHeaderLength, out byte protocol)
    {
        ipv6 = false;
        ipHeaderLength = 0;
        protocol = 0;
        var version = packet[0] >> 4;
        if (version == 4)
        {
            ipHeaderLength = (packet[0] & 0x0f) * 4;
            protocol = packet[9];
            return ipHeaderLength >= 20 && !IpHeaders.IsIpv4Fragment(packet);
        }

        if (version == 6 && packet.Length >= IpHeaders.Ipv6HeaderLength)
        {
            ipv6 = true;
            ipHeaderLength = IpHeaders.Ipv6HeaderLength;
            protocol = packet[6];
            return true;
        }

        return false;
    }
}
