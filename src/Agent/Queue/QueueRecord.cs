using System.Buffers.Binary;

namespace Fleet.Agent.Queue;

/// <summary>
/// One record of the disk queue's segment files: <c>magic u32 | payload length i32 | sequence i64 | crc32 u32 |
/// payload</c>, little-endian. The CRC covers the sequence and the payload, so a torn write or bit rot is found when the
/// record is read (see <see cref="DiskBatchQueue"/>).
/// </summary>
internal static class QueueRecord
{
    public const int HeaderBytes = 20;

    /// <summary>The largest payload a record may carry.</summary>
    public const int MaxPayloadBytes = 64 * 1024 * 1024;

    private const uint Magic = 0x31425146; // "FQB1"

    /// <summary>The whole record (header and payload) of <paramref name="payload"/> as batch <paramref name="sequence"/>.</summary>
    public static byte[] Create(long sequence, ReadOnlySpan<byte> payload)
    {
        var record = new byte[HeaderBytes + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(4), payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(16), Crc32.Append(Crc32.Compute(record.AsSpan(8, 8)), payload));
        payload.CopyTo(record.AsSpan(HeaderBytes));
        return record;
    }

    /// <summary>Reads a header; false when it is not one (wrong magic, impossible length or sequence).</summary>
    public static bool TryParseHeader(ReadOnlySpan<byte> header, out int payloadLength, out long sequence)
    {
        payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        sequence = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        return BinaryPrimitives.ReadUInt32LittleEndian(header) == Magic && payloadLength is >= 0 and <= MaxPayloadBytes && sequence > 0;
    }

    /// <summary>Whether the CRC of <paramref name="record"/> (header and <paramref name="payloadLength"/> bytes) matches.</summary>
    public static bool CrcMatches(ReadOnlySpan<byte> record, int payloadLength)
    {
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        var actual = Crc32.Append(Crc32.Compute(record.Slice(8, 8)), record.Slice(HeaderBytes, payloadLength));
        return expected == actual;
    }

    /// <summary>Whether <paramref name="buffer"/>, read whole, is the intact record <paramref name="sequence"/> of that payload length.</summary>
    public static bool IsIntact(ReadOnlySpan<byte> buffer, int read, long sequence, int payloadLength) =>
        read == buffer.Length
        && TryParseHeader(buffer, out var length, out var recordSequence)
        && length == payloadLength
        && recordSequence == sequence
        && CrcMatches(buffer, length);
}
