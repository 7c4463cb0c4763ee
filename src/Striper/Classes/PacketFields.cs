using System.Buffers.Binary;
using Fleet.Striper.Packets;

namespace Fleet.Striper.Classes;

/// <summary>
/// What class matching looks at in an IP packet: addresses, protocol, DSCP and, for the first fragment of TCP and UDP,
/// the ports. Read from the packet the TUN device gave, without allocating.
/// </summary>
internal struct PacketFields
{
    public bool Ipv6;
    public UInt128 Source;
    public UInt128 Destination;
    public int Protocol;
    public int Dscp;
    public bool HasPorts;
    public int SourcePort;
    public int DestinationPort;

    /// <summary>Reads the fields; false when the bytes are not an IPv4 or IPv6 packet.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out PacketFields fields)
    {
        fields = default;
        if (!IpHeaders.TryParse(packet, out var ipv6, out var headerLength, out var protocol))
        {
            return false;
        }

        fields.Ipv6 = ipv6;
        fields.Protocol = protocol;
        var fragment = false;
        if (ipv6)
        {
            // Traffic class: the low 4 bits of byte 0 and the high 4 of byte 1 (RFC 8200); DSCP is its upper six bits.
            fields.Dscp = (((packet[0] & 0x0f) << 4) | (packet[1] >> 4)) >> 2;
            fields.Source = BinaryPrimitives.ReadUInt128BigEndian(packet[8..]);
            fields.Destination = BinaryPrimitives.ReadUInt128BigEndian(packet[24..]);
        }
        else
        {
            fields.Dscp = packet[1] >> 2;
            fields.Source = BinaryPrimitives.ReadUInt32BigEndian(packet[12..]);
            fields.Destination = BinaryPrimitives.ReadUInt32BigEndian(packet[16..]);
            // Only the first fragment carries the transport header (offset 0).
            fragment = (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x1fff) != 0;
        }

        if (!fragment && protocol is IpHeaders.ProtocolTcp or IpHeaders.ProtocolUdp && packet.Length >= headerLength + 4)
        {
            fields.HasPorts = true;
            fields.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(packet[headerLength..]);
            fields.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(packet[(headerLength + 2)..]);
        }

        return true;
    }
}
