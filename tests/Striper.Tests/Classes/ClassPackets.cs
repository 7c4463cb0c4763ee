using System.Buffers.Binary;
using System.Net;

namespace Fleet.Striper.Tests.Classes;

/// <summary>IP packets with chosen addresses, protocol, DSCP and ports, for class matching.</summary>
internal static class ClassPackets
{
    public static byte[] Build(string source, string destination, int protocol, int dscp = 0, int sourcePort = 40000, int destinationPort = 5060, int payload = 20)
    {
        var src = IPAddress.Parse(source).GetAddressBytes();
        var dst = IPAddress.Parse(destination).GetAddressBytes();
        var ipv6 = src.Length == 16;
        var header = ipv6 ? 40 : 20;
        var transport = protocol is 6 ? 20 : protocol is 17 ? 8 : 0;
        var packet = new byte[header + transport + payload];
        if (ipv6)
        {
            packet[0] = (byte)(0x60 | (dscp >> 2));
            packet[1] = (byte)((dscp & 0x3) << 6);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(packet.Length - 40));
            packet[6] = (byte)protocol;
            packet[7] = 64;
            src.CopyTo(packet, 8);
            dst.CopyTo(packet, 24);
        }
        else
        {
            packet[0] = 0x45;
            packet[1] = (byte)(dscp << 2);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
            packet[8] = 64;
            packet[9] = (byte)protocol;
            src.CopyTo(packet, 12);
            dst.CopyTo(packet, 16);
        }

        if (transport > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(header), (ushort)sourcePort);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(header + 2), (ushort)destinationPort);
        }

        return packet;
    }
}
