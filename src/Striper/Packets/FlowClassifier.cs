using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Fleet.Striper.Packets;

/// <summary>
/// Maps a packet to one of <see cref="ClassCount"/> flow classes by a hash of its 5-tuple (addresses, protocol, and
/// ports for TCP/UDP). The receiver resequences each class on its own, so a loss in one flow does not hold up packets
/// of flows in other classes.
/// </summary>
internal static class FlowClassifier
{
    /// <summary>Number of classes (a power of two).</summary>
    public const int ClassCount = 64;

    public static int Classify(ReadOnlySpan<byte> packet)
    {
        if (!IpHeaders.TryParse(packet, out var ipv6, out var headerLength, out var protocol))
        {
            return 0;
        }

        ulong hash;
        if (ipv6)
        {
            hash = Mix(BinaryPrimitives.ReadUInt64LittleEndian(packet[8..]), BinaryPrimitives.ReadUInt64LittleEndian(packet[16..]));
            hash = Mix(hash, BinaryPrimitives.ReadUInt64LittleEndian(packet[24..]));
            hash = Mix(hash, BinaryPrimitives.ReadUInt64LittleEndian(packet[32..]));
        }
        else
        {
            hash = Mix(BinaryPrimitives.ReadUInt64LittleEndian(packet[12..]), 0);
            if (IpHeaders.IsIpv4Fragment(packet))
            {
                // Fragments of one datagram carry ports only in the first; class them by addresses alone.
                return (int)(Mix(hash, protocol) & (ClassCount - 1));
            }
        }

        hash = Mix(hash, protocol);
        if (protocol is IpHeaders.ProtocolTcp or IpHeaders.ProtocolUdp && packet.Length >= headerLength + 4)
        {
            hash = Mix(hash, BinaryPrimitives.ReadUInt32LittleEndian(packet[headerLength..]));
        }

        return (int)(hash & (ClassCount - 1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong a, ulong b)
    {
        var x = (a ^ (b * 0x9E3779B97F4A7C15UL)) * 0xBF58476D1CE4E5B9UL;
        return x ^ (x >> 31);
    }
}
