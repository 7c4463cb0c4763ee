using System.Buffers.Binary;

namespace Fleet.Striper.Wire;

/// <summary>Message types (docs/striper-protocol.md, "Messages").</summary>
internal enum MessageType : byte
{
    /// <summary>Handshake: announces the sender's random and echoes the peer's; sealed with the hello key.</summary>
    Hello = 1,

    /// <summary>One IP packet from the TUN device.</summary>
    Data = 2,

    /// <summary>Health probe on one path; also a drain marker for the receiver's resequencer.</summary>
    Probe = 3,

    /// <summary>Answer to a probe, with the receiver's statistics of that path.</summary>
    ProbeAck = 4,

    /// <summary>Receiver's report that a path went silent while others kept delivering.</summary>
    Report = 5,

    /// <summary>Load of an on-demand speed test on one path; may ask for an answer.</summary>
    SpeedTest = 6,

    /// <summary>Answer to a speed-test datagram: what the receiver got of the test's step on that path.</summary>
    SpeedTestAck = 7,
}

/// <summary>
/// The common header of every datagram (20 bytes, big-endian); control messages authenticate it as associated data, data
/// messages are sealed without it (docs/striper-protocol.md, "Messages"):
/// <code>
///  0  u8   version (high nibble, 2) | type (low nibble)
///  1  u8   flags (per type)
///  2  u8   key epoch (low 8 bits)
///  3  u8   sender's path id
///  4  u32  receiver's session tag (the site id in Hello: 0 point to point)
///  8  u32  stream id       \ the 12-byte AEAD nonce, also the replay counter
/// 12  u64  stream counter  /  (random in Hello)
/// </code>
/// </summary>
internal static class WireFormat
{
    /// <summary>
    /// Protocol version, in the first byte's high nibble and in the hello. 4: a hello's tag field carries the site id
    /// (aggregators; 0 point to point) and must be what the receiver expects; 3: data metadata carries the traffic class and
    /// forward error correction (32 bytes), parity datagrams; 2: hellos carry an ephemeral ECDH key and the keys derive
    /// from it (forward secrecy); 1 was the pre-shared key alone.
    /// </summary>
    public const byte Version = 4;
    public const int HeaderLength = 20;
    public const int NonceOffset = 8;
    public const int NonceLength = 12;
    public const int TagLength = 16;

    /// <summary>Data metadata, encrypted in front of the IP packet (see <see cref="DataMeta"/>).</summary>
    public const int DataMetaLength = 32;

    /// <summary>Bytes a data datagram adds around the IP packet.</summary>
    public const int DataOverhead = HeaderLength + DataMetaLength + TagLength;

    /// <summary>Sending streams: 0..MaxStreams-1 (one per sending thread). Larger ids are refused.</summary>
    public const int MaxStreams = 8;

    /// <summary>Data metadata flag: the inner TCP checksum is partial and must be completed by the receiver.</summary>
    public const byte DataFlagChecksumPartial = 0x01;

    /// <summary>Data metadata flag: the payload is FEC parity over a block of the traffic class, not an IP packet.</summary>
    public const byte DataFlagParity = 0x02;

    /// <summary>Flags a sender may set; a data datagram with any other flag is malformed.</summary>
    public const byte DataFlagsKnown = DataFlagChecksumPartial | DataFlagParity;

    /// <summary>Smallest datagram that can be valid (header + tag).</summary>
    public const int MinDatagram = HeaderLength + TagLength;

    public static void WriteHeader(Span<byte> destination, MessageType type, byte flags, byte epoch, byte pathId, uint sessionTag, uint stream, ulong counter)
    {
        destination[0] = (byte)((Version << 4) | (byte)type);
        destination[1] = flags;
        destination[2] = epoch;
        destination[3] = pathId;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], sessionTag);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], stream);
        BinaryPrimitives.WriteUInt64BigEndian(destination[12..], counter);
    }
}

/// <summary>A parsed common header. Parsing checks only the shape; authenticity comes from the AEAD.</summary>
internal readonly struct WireHeader
{
    public MessageType Type { get; init; }

    public byte Flags { get; init; }

    public byte Epoch { get; init; }

    public byte PathId { get; init; }

    public uint SessionTag { get; init; }

    public uint Stream { get; init; }

    public ulong Counter { get; init; }

    /// <summary>
    /// Whether <paramref name="datagram"/> is a hello of another protocol version, and which: in every version the
    /// first byte is version (high nibble) and type (low) and a hello is type 1, so a peer running another version is
    /// recognised by its hellos (anything else of another version is just malformed). Versions up to 3 put 0 in a
    /// hello's tag field, version 4 the site id; the field is not looked at here.
    /// </summary>
    public static bool IsHelloOfOtherVersion(ReadOnlySpan<byte> datagram, out int version)
    {
        version = datagram.IsEmpty ? 0 : datagram[0] >> 4;
        return datagram.Length >= WireFormat.MinDatagram && version != 0 && version != WireFormat.Version
            && (datagram[0] & 0x0f) == (byte)MessageType.Hello;
    }

    /// <summary>Parses the header of an untrusted datagram; false for anything that cannot be a valid message.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out WireHeader header)
    {
        header = default;
        if (datagram.Length < WireFormat.MinDatagram || datagram[0] >> 4 != WireFormat.Version)
        {
            return false;
        }

        var type = (MessageType)(datagram[0] & 0x0f);
        var minimum = type switch
        {
            MessageType.Hello => WireFormat.HeaderLength + HelloMessage.Length + WireFormat.TagLength,
            MessageType.Data => WireFormat.DataOverhead + 20,
            MessageType.Probe => WireFormat.HeaderLength + ProbeMessage.Length + WireFormat.TagLength,
            MessageType.ProbeAck => WireFormat.HeaderLength + ProbeAckMessage.Length + WireFormat.TagLength,
            MessageType.Report => WireFormat.HeaderLength + ReportMessage.MinLength + WireFormat.TagLength,
            MessageType.SpeedTest => WireFormat.HeaderLength + SpeedTestMessage.MinLength + WireFormat.TagLength,
            MessageType.SpeedTestAck => WireFormat.HeaderLength + SpeedTestAckMessage.Length + WireFormat.TagLength,
            _ => int.MaxValue,
        };
        if (datagram.Length < minimum)
        {
            return false;
        }

        var stream = BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]);
        if (type != MessageType.Hello && stream >= WireFormat.MaxStreams)
        {
            return false;
        }

        header = new WireHeader
        {
            Type = type,
            Flags = datagram[1],
            Epoch = datagram[2],
            PathId = datagram[3],
            SessionTag = BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]),
            Stream = stream,
            Counter = BinaryPrimitives.ReadUInt64BigEndian(datagram[12..]),
        };
        return true;
    }
}

/// <summary>What the sending thread puts in a data datagram's metadata besides the path's own numbers.</summary>
internal struct DataFields
{
    /// <summary>Flags (<see cref="WireFormat.DataFlagChecksumPartial"/>, <see cref="WireFormat.DataFlagParity"/>).</summary>
    public byte Flags;

    /// <summary>Flow class (5-tuple hash, 0..63) and the packet's sequence in it; 0 for parity.</summary>
    public byte FlowClass;

    /// <inheritdoc cref="FlowClass"/>
    public uint ClassSequence;

    /// <summary>Global sequence: per sender and session, every data datagram (parity too).</summary>
    public ulong Global;

    /// <summary>Traffic class: 0 the default class, 1..32 the sender's classes in order.</summary>
    public byte TrafficClass;

    /// <summary>FEC block the datagram belongs to (0 data packets: none) and its numbers.</summary>
    public byte FecData;

    /// <inheritdoc cref="FecData"/>
    public byte FecParity;

    /// <inheritdoc cref="FecData"/>
    public byte FecIndex;

    /// <inheritdoc cref="FecData"/>
    public uint FecBlock;
}

/// <summary>
/// Metadata of a data datagram: the first 32 bytes of its plaintext, encrypted with the IP packet. A data datagram is
/// sealed without associated data (one call less into the AEAD per packet, as WireGuard's data messages): what the
/// header says only selects the key and the nonce, so any change to it fails authentication, and everything the
/// receiver acts on is in here, type included, so a datagram cannot be passed off as another type.
/// <code>
///  0  u8   type (2, data) again
///  1  u8   flags (bit 0: the inner TCP checksum is partial; bit 1: FEC parity, not an IP packet)
///  2  u8   sender's path id
///  3  u8   flow class (0..63)
///  4  u32  class sequence (per flow class)
///  8  u32  path sequence (per path, for the receiver's loss count)
/// 12  u32  send time, microseconds of the sender's clock (low 32 bits)
/// 16  u64  global sequence (per sender and session, every data datagram)
/// 24  u8   traffic class (0 default, 1..32 the sender's classes in order)
/// 25  u8   FEC: data packets in the block (data: as planned; parity: as sent), 0 = not protected
/// 26  u8   FEC: parity packets in the block (as planned)
/// 27  u8   FEC: index in the block (data 0..k-1, parity j)
/// 28  u32  FEC: block id (per traffic class)
/// </code>
/// </summary>
internal readonly struct DataMeta
{
    public byte Type { get; init; }

    public byte Flags { get; init; }

    public byte PathId { get; init; }

    public byte FlowClass { get; init; }

    public uint ClassSequence { get; init; }

    public uint PathSequence { get; init; }

    public uint SendTimeMicros { get; init; }

    public ulong GlobalSequence { get; init; }

    public byte TrafficClass { get; init; }

    public byte FecData { get; init; }

    public byte FecParity { get; init; }

    public byte FecIndex { get; init; }

    public uint FecBlock { get; init; }

    public bool IsParity => (Flags & WireFormat.DataFlagParity) != 0;

    public static DataMeta Read(ReadOnlySpan<byte> meta) => new()
    {
        Type = meta[0],
        Flags = meta[1],
        PathId = meta[2],
        FlowClass = meta[3],
        ClassSequence = BinaryPrimitives.ReadUInt32BigEndian(meta[4..]),
        PathSequence = BinaryPrimitives.ReadUInt32BigEndian(meta[8..]),
        SendTimeMicros = BinaryPrimitives.ReadUInt32BigEndian(meta[12..]),
        GlobalSequence = BinaryPrimitives.ReadUInt64BigEndian(meta[16..]),
        TrafficClass = meta[24],
        FecData = meta[25],
        FecParity = meta[26],
        FecIndex = meta[27],
        FecBlock = BinaryPrimitives.ReadUInt32BigEndian(meta[28..]),
    };

    public static void Write(Span<byte> meta, in DataFields fields, byte pathId, uint pathSequence, uint sendTimeMicros)
    {
        meta[0] = (byte)MessageType.Data;
        meta[1] = fields.Flags;
        meta[2] = pathId;
        meta[3] = fields.FlowClass;
        BinaryPrimitives.WriteUInt32BigEndian(meta[4..], fields.ClassSequence);
        BinaryPrimitives.WriteUInt32BigEndian(meta[8..], pathSequence);
        BinaryPrimitives.WriteUInt32BigEndian(meta[12..], sendTimeMicros);
        BinaryPrimitives.WriteUInt64BigEndian(meta[16..], fields.Global);
        meta[24] = fields.TrafficClass;
        meta[25] = fields.FecData;
        meta[26] = fields.FecParity;
        meta[27] = fields.FecIndex;
        BinaryPrimitives.WriteUInt32BigEndian(meta[28..], fields.FecBlock);
    }
}
