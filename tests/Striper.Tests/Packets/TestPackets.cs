using System.Buffers.Binary;
using Fleet.Striper.Packets;

namespace Fleet.Striper.Tests.Packets;

/// <summary>Builds IPv4/IPv6 TCP and UDP packets with correct headers and checksums for tests.</summary>
internal static class TestPackets
{
    public static byte[] Tcp(bool ipv6, byte[] payload, uint sequence, byte flags = IpHeaders.TcpAck, int optionBytes = 12, ushort sourcePort = 40000, byte lastOctet = 2, ushort ipId = 7)
    {
        var ipHeader = ipv6 ? 40 : 20;
        var tcpHeader = 20 + optionBytes;
        var packet = new byte[ipHeader + tcpHeader + payload.Length];
        WriteIp(packet, ipv6, IpHeaders.ProtocolTcp, lastOctet, ipId);
        var tcp = packet.AsSpan(ipHeader);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 5201);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], 0x01020304);
        tcp[12] = (byte)((tcpHeader / 4) << 4);
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 512);
        for (var i = 0; i < optionBytes; i++)
        {
            tcp[20 + i] = i % 4 == 0 ? (byte)1 : (byte)(i * 3); // NOPs and filler bytes
        }

        payload.CopyTo(tcp[tcpHeader..]);
        IpHeaders.SetTcpChecksum(packet, ipv6, ipHeader);
        return packet;
    }

    public static byte[] Udp(bool ipv6, byte[] payload)
    {
        var ipHeader = ipv6 ? 40 : 20;
        var packet = new byte[ipHeader + 8 + payload.Length];
        WriteIp(packet, ipv6, IpHeaders.ProtocolUdp, 2, 9);
        var udp = packet.AsSpan(ipHeader);
        BinaryPrimitives.WriteUInt16BigEndian(udp, 5000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 5001);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload.Length));
        payload.CopyTo(udp[8..]);
        var sum = InternetChecksum.PseudoHeader(packet, ipv6, IpHeaders.ProtocolUdp, 8 + payload.Length);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], InternetChecksum.Finish(InternetChecksum.Add(udp, sum)));
        return packet;
    }

    /// <summary>True when the TCP checksum of <paramref name="packet"/> verifies.</summary>
    public static bool TcpChecksumValid(ReadOnlySpan<byte> packet)
    {
        if (!IpHeaders.TryParse(packet, out var ipv6, out var ipHeader, out _))
        {
            return false;
        }

        var sum = InternetChecksum.PseudoHeader(packet, ipv6, IpHeaders.ProtocolTcp, packet.Length - ipHeader);
        return InternetChecksum.Fold(InternetChecksum.Add(packet[ipHeader..], sum)) == 0xffff;
    }

    public static bool Ipv4HeaderChecksumValid(ReadOnlySpan<byte> packet) =>
        InternetChecksum.Fold(InternetChecksum.Add(packet[..((packet[0] & 0xf) * 4)], 0)) == 0xffff;

    private static void WriteIp(byte[] packet, bool ipv6, byte protocol, byte lastOctet, ushort ipId)
    {
        if (ipv6)
        {
            packet[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(packet.Length - 40));
            packet[6] = protocol;
            packet[7] = 64;
            packet[8] = 0xfd;
            packet[23] = 1;
            packet[24] = 0xfd;
            packet[39] = lastOctet;
        }
        else
        {
            packet[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), ipId);
            packet[6] = 0x40; // DF
            packet[8] = 64;
            packet[9] = protocol;
            packet[12] = 10;
            packet[15] = 1;
            packet[16] = 10;
            packet[19] = lastOctet;
            IpHeaders.SetIpv4HeaderChecksum(packet, 20);
        }
    }
}
