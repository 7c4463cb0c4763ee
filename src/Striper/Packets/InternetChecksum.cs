using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fleet.Striper.Packets;

/// <summary>
/// The Internet checksum (RFC 1071): a one's-complement sum of 16-bit big-endian words. Summing little-endian words
/// and swapping the folded result gives the same value (RFC 1071 §2(B), byte-order independence), which lets the loop
/// add 32-bit machine words. Every span added except the last must have an even length.
/// </summary>
internal static class InternetChecksum
{
    /// <summary>Adds <paramref name="data"/> to a running sum.</summary>
    public static ulong Add(ReadOnlySpan<byte> data, ulong sum)
    {
        ref var start = ref MemoryMarshal.GetReference(data);
        var length = data.Length;
        var i = 0;
        for (; i + 16 <= length; i += 16)
        {
            sum += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i));
            sum += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i + 4));
            sum += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i + 8));
            sum += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i + 12));
        }

        for (; i + 4 <= length; i += 4)
        {
            sum += Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, i));
        }

        uint tail = 0;
        for (var shift = 0; i < length; i++, shift += 8)
        {
            tail |= (uint)Unsafe.Add(ref start, i) << shift;
        }

        return sum + tail;
    }

    /// <summary>Adds a 16-bit value given in network (big-endian) numeric form.</summary>
    public static ulong AddBigEndianWord(ushort value, ulong sum) => sum + BinaryPrimitives.ReverseEndianness(value);

    /// <summary>Folds a running sum to 16 bits, as a big-endian numeric value (not complemented).</summary>
    public static ushort Fold(ulong sum)
    {
        sum = (sum & 0xffffffff) + (sum >> 32);
        sum = (sum & 0xffffffff) + (sum >> 32);
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        return BinaryPrimitives.ReverseEndianness((ushort)sum);
    }

    /// <summary>The checksum to store: the complement of the folded sum.</summary>
    public static ushort Finish(ulong sum) => (ushort)~Fold(sum);

    /// <summary>The IPv4 or IPv6 pseudo-header sum for an upper-layer packet of <paramref name="length"/> bytes (RFC 793, RFC 8200 §8.1).</summary>
    public static ulong PseudoHeader(ReadOnlySpan<byte> ipPacket, bool ipv6, byte protocol, int length)
    {
        ulong sum;
        if (ipv6)
        {
            sum = Add(ipPacket.Slice(8, 32), 0);
            sum = AddBigEndianWord((ushort)(length >> 16), sum);
            sum = AddBigEndianWord((ushort)length, sum);
        }
        else
        {
            sum = Add(ipPacket.Slice(12, 8), 0);
            sum = AddBigEndianWord((ushort)length, sum);
        }

        return AddBigEndianWord(protocol, sum);
    }
}
