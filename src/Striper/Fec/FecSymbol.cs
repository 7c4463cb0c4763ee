using System.Buffers.Binary;

namespace Fleet.Striper.Fec;

/// <summary>
/// What FEC protects of a data packet: the packet and the metadata the receiver needs to deliver it when it is
/// recovered instead of received (parity is computed over these symbols, zero-padded to the block's longest).
/// <code>
///  0  u16  packet length
///  2  u8   data flags (checksum partial)
///  3  u8   flow class
///  4  u32  class sequence
///  8  u64  global sequence
/// 16  …    the IP packet
/// </code>
/// A packet longer than the TUN MTU minus <see cref="PrefixLength"/> would make a parity datagram too big for the
/// paths: it is sent unprotected (counted).
/// </summary>
internal static class FecSymbol
{
    public const int PrefixLength = 16;

    public static void WritePrefix(Span<byte> prefix, int packetLength, byte flags, byte flowClass, uint classSequence, ulong global)
    {
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)packetLength);
        prefix[2] = flags;
        prefix[3] = flowClass;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[4..], classSequence);
        BinaryPrimitives.WriteUInt64BigEndian(prefix[8..], global);
    }

    /// <summary>Reads a recovered symbol's prefix; false when its packet length does not fit the symbol.</summary>
    public static bool TryReadPrefix(ReadOnlySpan<byte> symbol, out int packetLength, out byte flags, out byte flowClass, out uint classSequence, out ulong global)
    {
        packetLength = BinaryPrimitives.ReadUInt16BigEndian(symbol);
        flags = symbol[2];
        flowClass = symbol[3];
        classSequence = BinaryPrimitives.ReadUInt32BigEndian(symbol[4..]);
        global = BinaryPrimitives.ReadUInt64BigEndian(symbol[8..]);
        return packetLength > 0 && PrefixLength + packetLength <= symbol.Length;
    }
}
