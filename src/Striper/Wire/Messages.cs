using System.Buffers.Binary;

namespace Fleet.Striper.Wire;

/// <summary>
/// Hello body (140 bytes, encrypted with the hello key):
/// <code>
///   0  u8      protocol version (<see cref="WireFormat.Version"/>)
///   1  u8      cipher (0 AES-256-GCM, 1 ChaCha20-Poly1305)
///   2  u16     flags (0)
///   4  32 B    sender's random
///  36  64 B    sender's ephemeral ECDH public key: P-256 point X ‖ Y, big-endian
/// 100  32 B    echo: the peer's random as last seen (zeros when none)
/// 132  u64     sender's clock, microseconds (informational)
/// </code>
/// </summary>
internal static class HelloMessage
{
    public const int Length = 140;
    public const int RandomLength = 32;
    public const int PublicKeyLength = 64;
    private const int RandomOffset = 4;
    private const int PublicKeyOffset = RandomOffset + RandomLength;
    private const int EchoOffset = PublicKeyOffset + PublicKeyLength;
    private const int ClockOffset = EchoOffset + RandomLength;

    public static void Write(Span<byte> body, byte cipher, ReadOnlySpan<byte> random, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> echo, ulong clockMicros)
    {
        body[0] = WireFormat.Version;
        body[1] = cipher;
        BinaryPrimitives.WriteUInt16BigEndian(body[2..], 0);
        random.CopyTo(body.Slice(RandomOffset, RandomLength));
        publicKey.CopyTo(body.Slice(PublicKeyOffset, PublicKeyLength));
        if (echo.IsEmpty)
        {
            body.Slice(EchoOffset, RandomLength).Clear();
        }
        else
        {
            echo.CopyTo(body.Slice(EchoOffset, RandomLength));
        }

        BinaryPrimitives.WriteUInt64BigEndian(body[ClockOffset..], clockMicros);
    }

    /// <summary>
    /// Reads an opened hello body; false unless it has this version, <paramref name="expectedCipher"/> and no flags.
    /// The public key is only cut out here: whether it is a point on the curve is checked when a secret is agreed.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> body, byte expectedCipher, out ReadOnlySpan<byte> random, out ReadOnlySpan<byte> publicKey, out ReadOnlySpan<byte> echo)
    {
        random = default;
        publicKey = default;
        echo = default;
        if (body.Length != Length || body[0] != WireFormat.Version || body[1] != expectedCipher || BinaryPrimitives.ReadUInt16BigEndian(body[2..]) != 0)
        {
            return false;
        }

        random = body.Slice(RandomOffset, RandomLength);
        publicKey = body.Slice(PublicKeyOffset, PublicKeyLength);
        echo = body.Slice(EchoOffset, RandomLength);
        return true;
    }
}

/// <summary>
/// Probe body (36 bytes, encrypted):
/// <code>
///  0  u32  probe id
///  4  u64  send time, microseconds of the sender's clock
/// 12  u64  global sequence the sender will use next (drain marker: every data packet sent on this path before the
///          probe has a smaller global sequence)
/// 20  u64  highest global sequence sent on this path so far (0 when none)
/// 28  u32  path sequence sent on this path so far
/// 32  u32  loss tally of what the sender of the probe received on this path: data packets given up as lost (high
///          16 bits) and the runs of consecutive ones they made up (low 16 bits), both running and wrapping; 0 from
///          an end that predates it (docs/striper-protocol.md, "probe")
/// </code>
/// </summary>
internal readonly struct ProbeMessage
{
    public const int Length = 36;

    public uint ProbeId { get; init; }

    public ulong SendTimeMicros { get; init; }

    public ulong NextGlobalSequence { get; init; }

    public ulong LastGlobalOnPath { get; init; }

    public uint PathSequence { get; init; }

    public uint LossTally { get; init; }

    /// <summary>The <see cref="LossTally"/> of running counts of lost packets and of their runs.</summary>
    public static uint Tally(long lostPackets, long lossRuns) => ((uint)(ushort)lostPackets << 16) | (ushort)lossRuns;

    public void Write(Span<byte> body)
    {
        BinaryPrimitives.WriteUInt32BigEndian(body, ProbeId);
        BinaryPrimitives.WriteUInt64BigEndian(body[4..], SendTimeMicros);
        BinaryPrimitives.WriteUInt64BigEndian(body[12..], NextGlobalSequence);
        BinaryPrimitives.WriteUInt64BigEndian(body[20..], LastGlobalOnPath);
        BinaryPrimitives.WriteUInt32BigEndian(body[28..], PathSequence);
        BinaryPrimitives.WriteUInt32BigEndian(body[32..], LossTally);
    }

    public static bool TryRead(ReadOnlySpan<byte> body, out ProbeMessage probe)
    {
        probe = default;
        if (body.Length != Length)
        {
            return false;
        }

        probe = new ProbeMessage
        {
            ProbeId = BinaryPrimitives.ReadUInt32BigEndian(body),
            SendTimeMicros = BinaryPrimitives.ReadUInt64BigEndian(body[4..]),
            NextGlobalSequence = BinaryPrimitives.ReadUInt64BigEndian(body[12..]),
            LastGlobalOnPath = BinaryPrimitives.ReadUInt64BigEndian(body[20..]),
            PathSequence = BinaryPrimitives.ReadUInt32BigEndian(body[28..]),
            LossTally = BinaryPrimitives.ReadUInt32BigEndian(body[32..]),
        };
        return true;
    }
}

/// <summary>
/// Probe-ack body (64 bytes, encrypted): the echo of a probe and the receiver's running statistics of the path the
/// probe came in on.
/// <code>
///  0  u32  echoed probe id
///  4  u64  echoed send time
/// 12  u32  microseconds the receiver held the probe before answering
/// 16  u64  data packets received on the path
/// 24  u64  data bytes received on the path
/// 32  u64  data packets lost on the path (gaps in the path sequence)
/// 40  i64  smoothed one-way delay, microseconds, relative to an arbitrary clock offset
/// 48  u32  one-way delay jitter (mean deviation), microseconds
/// 52  u32  receiver's current hold time, microseconds
/// 56  u64  minimum one-way delay seen, microseconds, same offset as above
/// </code>
/// </summary>
internal readonly struct ProbeAckMessage
{
    public const int Length = 64;

    public uint ProbeId { get; init; }

    public ulong EchoSendTimeMicros { get; init; }

    public uint AckDelayMicros { get; init; }

    public ulong RxPackets { get; init; }

    public ulong RxBytes { get; init; }

    public ulong LostPackets { get; init; }

    public long OwdMicros { get; init; }

    public uint JitterMicros { get; init; }

    public uint HoldMicros { get; init; }

    public long MinOwdMicros { get; init; }

    public void Write(Span<byte> body)
    {
        BinaryPrimitives.WriteUInt32BigEndian(body, ProbeId);
        BinaryPrimitives.WriteUInt64BigEndian(body[4..], EchoSendTimeMicros);
        BinaryPrimitives.WriteUInt32BigEndian(body[12..], AckDelayMicros);
        BinaryPrimitives.WriteUInt64BigEndian(body[16..], RxPackets);
        BinaryPrimitives.WriteUInt64BigEndian(body[24..], RxBytes);
        BinaryPrimitives.WriteUInt64BigEndian(body[32..], LostPackets);
        BinaryPrimitives.WriteInt64BigEndian(body[40..], OwdMicros);
        BinaryPrimitives.WriteUInt32BigEndian(body[48..], JitterMicros);
        BinaryPrimitives.WriteUInt32BigEndian(body[52..], HoldMicros);
        BinaryPrimitives.WriteInt64BigEndian(body[56..], MinOwdMicros);
    }

    public static bool TryRead(ReadOnlySpan<byte> body, out ProbeAckMessage ack)
    {
        ack = default;
        if (body.Length != Length)
        {
            return false;
        }

        ack = new ProbeAckMessage
        {
            ProbeId = BinaryPrimitives.ReadUInt32BigEndian(body),
            EchoSendTimeMicros = BinaryPrimitives.ReadUInt64BigEndian(body[4..]),
            AckDelayMicros = BinaryPrimitives.ReadUInt32BigEndian(body[12..]),
            RxPackets = BinaryPrimitives.ReadUInt64BigEndian(body[16..]),
            RxBytes = BinaryPrimitives.ReadUInt64BigEndian(body[24..]),
            LostPackets = BinaryPrimitives.ReadUInt64BigEndian(body[32..]),
            OwdMicros = BinaryPrimitives.ReadInt64BigEndian(body[40..]),
            JitterMicros = BinaryPrimitives.ReadUInt32BigEndian(body[48..]),
            HoldMicros = BinaryPrimitives.ReadUInt32BigEndian(body[52..]),
            MinOwdMicros = BinaryPrimitives.ReadInt64BigEndian(body[56..]),
        };
        return true;
    }
}

/// <summary>
/// Report body (encrypted): paths of the sender that fell silent at the receiver while other paths kept delivering.
/// Send times are the sender's clock (microseconds, low 32 bits) as carried in data packets.
/// <code>
///  0  u32  newest send time delivered on any path
///  4  u32  silence threshold the receiver applied, microseconds
///  8  u8   number of entries n (1..16)
///  9  n × { u8 sender path id, u32 send time of the last packet delivered on that path }
/// </code>
/// </summary>
internal static class ReportMessage
{
    public const int MinLength = 9 + 5;
    public const int MaxEntries = 16;
    public const int MaxLength = 9 + (5 * MaxEntries);

    public static int Write(Span<byte> body, uint newestSendMicros, uint thresholdMicros, ReadOnlySpan<(byte PathId, uint LastSendMicros)> entries)
    {
        BinaryPrimitives.WriteUInt32BigEndian(body, newestSendMicros);
        BinaryPrimitives.WriteUInt32BigEndian(body[4..], thresholdMicros);
        var n = Math.Min(entries.Length, MaxEntries);
        body[8] = (byte)n;
        for (var i = 0; i < n; i++)
        {
            body[9 + (5 * i)] = entries[i].PathId;
            BinaryPrimitives.WriteUInt32BigEndian(body[(10 + (5 * i))..], entries[i].LastSendMicros);
        }

        return 9 + (5 * n);
    }

    public static bool TryRead(ReadOnlySpan<byte> body, out uint newestSendMicros, out uint thresholdMicros, Span<(byte PathId, uint LastSendMicros)> entries, out int count)
    {
        newestSendMicros = 0;
        thresholdMicros = 0;
        count = 0;
        if (body.Length < MinLength)
        {
            return false;
        }

        var n = body[8];
        if (n is 0 or > MaxEntries || body.Length != 9 + (5 * n) || entries.Length < n)
        {
            return false;
        }

        newestSendMicros = BinaryPrimitives.ReadUInt32BigEndian(body);
        thresholdMicros = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        for (var i = 0; i < n; i++)
        {
            entries[i] = (body[9 + (5 * i)], BinaryPrimitives.ReadUInt32BigEndian(body[(10 + (5 * i))..]));
        }

        count = n;
        return true;
    }
}
