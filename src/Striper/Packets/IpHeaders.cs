using System.Buffers.Binary;

namespace Fleet.Striper.Packets;

/// <summary>Offsets and checks for the IPv4 (RFC 791), IPv6 (RFC 8200) and TCP (RFC 9293) headers the data path touches.</summary>
internal static class IpHeaders
{
    public const byte ProtocolTcp = 6;
    public const byte ProtocolUdp = 17;
    public const int Ipv6HeaderLength = 40;

    public const byte TcpFin = 0x01;
    public const byte TcpSyn = 0x02;
    public const byte TcpRst = 0x04;
    public const byte TcpPsh = 0x08;
    public const byte TcpAck = 0x10;
    public const byte TcpUrg = 0x20;
    public const byte TcpEce = 0x40;
    public const byte TcpCwr = 0x80;

    /// <summary>
    /// Parses the network header of <paramref name="packet"/>: IP version, header length and upper protocol.
    /// False when the bytes are not a well-formed IPv4 or IPv6 packet of exactly this length (or longer for IPv4
    /// padding is refused too). IPv6 extension headers are reported through <paramref name="protocol"/> as they are.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out bool ipv6, out int headerLength, out byte protocol)
    {
        ipv6 = false;
        headerLength = 0;
        protocol = 0;
        if (packet.Length < 20)
        {
            return false;
        }

        var version = packet[0] >> 4;
        if (version == 4)
        {
            headerLength = (packet[0] & 0x0f) * 4;
            var total = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
            if (headerLength < 20 || total < headerLength || total > packet.Length)
            {
                return false;
            }

            protocol = packet[9];
            return true;
        }

        if (version == 6 && packet.Length >= Ipv6HeaderLength)
        {
            ipv6 = true;
            headerLength = Ipv6HeaderLength;
            var payload = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
            if (Ipv6HeaderLength + payload > packet.Length)
            {
                return false;
            }

            protocol = packet[6];
            return true;
        }

        return false;
    }

    /// <summary>Length the IP header says the packet has (IPv4 total length; IPv6 40 + payload length).</summary>
    public static int DeclaredLength(ReadOnlySpan<byte> packet, bool ipv6) => ipv6
        ? Ipv6HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(packet[4..])
        : BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);

    /// <summary>True for an IPv4 fragment (MF set or a non-zero offset).</summary>
    public static bool IsIpv4Fragment(ReadOnlySpan<byte> packet) => (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3fff) != 0;

    /// <summary>Recomputes the IPv4 header checksum.</summary>
    public static void SetIpv4HeaderChecksum(Span<byte> packet, int headerLength)
    {
        packet[10] = 0;
        packet[11] = 0;
        var checksum = InternetChecksum.Finish(InternetChecksum.Add(packet[..headerLength], 0));
        BinaryPrimitives.WriteUInt16BigEndian(packet[10..], checksum);
    }

    /// <summary>Sets the length fields of an IP header for a packet of <paramref name="totalLength"/> bytes.</summary>
    public static void SetLength(Span<byte> packet, bool ipv6, int totalLength)
    {
        if (ipv6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)(totalLength - Ipv6HeaderLength));
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)totalLength);
        }
    }

    /// <summary>
    /// Completes a checksum the kernel left partial (virtio NEEDS_CSUM): the region from <paramref name="start"/> to the
    /// end is summed with the field at <paramref name="start"/> + <paramref name="offset"/>, which already holds the
    /// pseudo-header sum, and the complement is stored there (what skb_checksum_help does).
    /// </summary>
    public static bool CompletePartialChecksum(Span<byte> packet, int start, int offset)
    {
        if (start < 0 || start + offset + 2 > packet.Length)
        {
            return false;
        }

        var checksum = InternetChecksum.Finish(InternetChecksum.Add(packet[start..], 0));
        if (checksum == 0 && packet[9] == ProtocolUdp && packet[0] >> 4 == 4)
        {
            checksum = 0xffff; // UDP over IPv4 sends a computed zero as all ones (RFC 768).
        }

        BinaryPrimitives.WriteUInt16BigEndian(packet[(start + offset)..], checksum);
        return true;
    }

    /// <summary>Writes the full TCP checksum of a packet whose TCP header starts at <paramref name="ipHeaderLength"/>.</summary>
    public static void SetTcpChecksum(Span<byte> packet, bool ipv6, int ipHeaderLength)
    {
        var tcpLength = packet.Length - ipHeaderLength;
        packet[ipHeaderLength + 16] = 0;
        packet[ipHeaderLength + 17] = 0;
        var sum = InternetChecksum.PseudoHeader(packet, ipv6, ProtocolTcp, tcpLength);
        sum = InternetChecksum.Add(packet[ipHeaderLength..], sum);
        BinaryPrimitives.WriteUInt16BigEndian(packet[(ipHeaderLength + 16)..], InternetChecksum.Finish(sum));
    }

    /// <summary>Stores the pseudo-header sum in the TCP checksum field, leaving the rest to the kernel (CHECKSUM_PARTIAL).</summary>
    public static void SetTcpPartialChecksum(Span<byte> packet, bool ipv6, int ipHeaderLength, int tcpLength)
    {
        var sum = InternetChecksum.PseudoHeader(packet, ipv6, ProtocolTcp, tcpLength);
        BinaryPrimitives.WriteUInt16BigEndian(packet[(ipHeaderLength + 16)..], InternetChecksum.Fold(sum));
    }
}
