using System.Buffers.Binary;

namespace Fleet.Striper.Wire;

/// <summary>
/// Speed-test load body (encrypted, header authenticated; docs/striper-protocol.md, "Speed test"):
/// <code>
///  0  u32  test id (random per test)
///  4  u8   step of the test (1, 2, …)
///  5  u8   flags: bit 0 = answer with a speed-test-ack; the other bits 0
///  6  u16  reserved, 0
///  8  u32  sequence of this datagram on its path within the step (1, 2, …)
/// 12  u64  send time, microseconds of the sender's clock
/// 20  …    padding, zeros, up to the size of the largest data datagram
/// </code>
/// At least <see cref="MinLength"/> bytes, longer than an answer, so a load datagram never draws a larger one.
/// </summary>
internal readonly struct SpeedTestMessage
{
    public const int MinLength = 64;
    public const byte FlagAnswer = 0x01;

    /// <summary>
    /// The test id of MTU probes (docs/striper-protocol.md, "MTU probes"): load datagrams that ask for an answer, sent
    /// by the control thread, step <see cref="MtuProbeSmallStep"/> at the smallest size and
    /// <see cref="MtuProbeLargeStep"/> at the largest. A speed test never draws id 0.
    /// </summary>
    public const uint MtuProbeTestId = 0;

    /// <inheritdoc cref="MtuProbeTestId"/>
    public const byte MtuProbeSmallStep = 1;

    /// <inheritdoc cref="MtuProbeTestId"/>
    public const byte MtuProbeLargeStep = 2;
    private const int FieldsLength = 20;

    public uint TestId { get; init; }

    public byte Step { get; init; }

    public bool Answer { get; init; }

    public uint Sequence { get; init; }

    public ulong SendTimeMicros { get; init; }

    /// <summary>Writes the fields and zero padding over the whole of <paramref name="body"/>.</summary>
    public void Write(Span<byte> body)
    {
        BinaryPrimitives.WriteUInt32BigEndian(body, TestId);
        body[4] = Step;
        body[5] = Answer ? FlagAnswer : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(body[6..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(body[8..], Sequence);
        BinaryPrimitives.WriteUInt64BigEndian(body[12..], SendTimeMicros);
        body[FieldsLength..].Clear();
    }

    /// <summary>False for a body that is short, has unknown flags, reserved bits, sequence or step 0, or padding that is not zero.</summary>
    public static bool TryRead(ReadOnlySpan<byte> body, out SpeedTestMessage message)
    {
        message = default;
        if (body.Length < MinLength || (body[5] & ~FlagAnswer) != 0 || BinaryPrimitives.ReadUInt16BigEndian(body[6..]) != 0
            || body[4] == 0 || body[FieldsLength..].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        var sequence = BinaryPrimitives.ReadUInt32BigEndian(body[8..]);
        if (sequence == 0)
        {
            return false;
        }

        message = new SpeedTestMessage
        {
            TestId = BinaryPrimitives.ReadUInt32BigEndian(body),
            Step = body[4],
            Answer = (body[5] & FlagAnswer) != 0,
            Sequence = sequence,
            SendTimeMicros = BinaryPrimitives.ReadUInt64BigEndian(body[12..]),
        };
        return true;
    }
}

/// <summary>
/// Speed-test-ack body (48 bytes, encrypted, header authenticated): what the receiver got of one step on the path the
/// answered load datagram came in on, counted from the step's first load datagram it saw to the answered one.
/// <code>
///  0  u32  test id
///  4  u8   step
///  5  3 B  reserved, 0
///  8  u32  sequence of the answered load datagram
/// 12  u64  its send time, echoed
/// 20  u32  microseconds from the step's first load datagram's arrival to the answered one's
/// 24  u32  load datagrams received in the step
/// 28  u32  data datagrams received on the path in that time
/// 32  u64  load bytes received (UDP payload)
/// 40  u64  data bytes received on the path in that time (UDP payload)
/// </code>
/// </summary>
internal readonly struct SpeedTestAckMessage
{
    public const int Length = 48;

    public uint TestId { get; init; }

    public byte Step { get; init; }

    public uint Sequence { get; init; }

    public ulong EchoSendTimeMicros { get; init; }

    public uint ElapsedMicros { get; init; }

    public uint LoadPackets { get; init; }

    public uint DataPackets { get; init; }

    public ulong LoadBytes { get; init; }

    public ulong DataBytes { get; init; }

    public void Write(Span<byte> body)
    {
        BinaryPrimitives.WriteUInt32BigEndian(body, TestId);
        body[4] = Step;
        body[5..8].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(body[8..], Sequence);
        BinaryPrimitives.WriteUInt64BigEndian(body[12..], EchoSendTimeMicros);
        BinaryPrimitives.WriteUInt32BigEndian(body[20..], ElapsedMicros);
        BinaryPrimitives.WriteUInt32BigEndian(body[24..], LoadPackets);
        BinaryPrimitives.WriteUInt32BigEndian(body[28..], DataPackets);
        BinaryPrimitives.WriteUInt64BigEndian(body[32..], LoadBytes);
        BinaryPrimitives.WriteUInt64BigEndian(body[40..], DataBytes);
    }

    public static bool TryRead(ReadOnlySpan<byte> body, out SpeedTestAckMessage ack)
    {
        ack = default;
        if (body.Length != Length || body[5..8].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        ack = new SpeedTestAckMessage
        {
            TestId = BinaryPrimitives.ReadUInt32BigEndian(body),
            Step = body[4],
            Sequence = BinaryPrimitives.ReadUInt32BigEndian(body[8..]),
            EchoSendTimeMicros = BinaryPrimitives.ReadUInt64BigEndian(body[12..]),
            ElapsedMicros = BinaryPrimitives.ReadUInt32BigEndian(body[20..]),
            LoadPackets = BinaryPrimitives.ReadUInt32BigEndian(body[24..]),
            DataPackets = BinaryPrimitives.ReadUInt32BigEndian(body[28..]),
            LoadBytes = BinaryPrimitives.ReadUInt64BigEndian(body[32..]),
            DataBytes = BinaryPrimitives.ReadUInt64BigEndian(body[40..]),
        };
        return true;
    }
}
