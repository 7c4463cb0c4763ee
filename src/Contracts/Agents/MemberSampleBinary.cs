using Fleet.Contracts.Links;

namespace Fleet.Contracts.Agents;

/// <summary>
/// The compact binary form of one <see cref="MemberSample"/>, shared by the agent's on-disk queue and the Api's
/// cross-replica notifications. The link is an index into a table of link ids the caller writes before the samples:
/// <code>
/// varint linkIndex, string member, i64 utcTicks, varint intervalMs,
/// varint txBytes rxBytes txPackets rxPackets txDrops rxDrops errors reorderDepth reorderDepthMax,
/// u8 flags (1 = rtt, 2 = loss, 4 = large probe loss, 8 = small probe loss, 16 = cpu, 32 = jitter), [f64 rttMs],
/// [f64 lossPercent], u8 health, [f64 largeProbeLossPercent], [f64 smallProbeLossPercent], [f64 cpuPercent], [f64 jitterMs]
/// </code>
/// Strings are length-prefixed UTF-8 (<see cref="BinaryWriter.Write(string)"/>). The measurements after the health
/// came later (issue 12): a sample written before them has none of their flags, so it reads as it did.
/// </summary>
public static class MemberSampleBinary
{
    /// <summary>Writes <paramref name="sample"/>, naming its link by <paramref name="linkIndex"/> in the caller's table.</summary>
    public static void Write(BinaryWriter writer, int linkIndex, MemberSample sample)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sample);
        writer.Write7BitEncodedInt(linkIndex);
        writer.Write(sample.Member);
        writer.Write(sample.Time.UtcTicks);
        writer.Write7BitEncodedInt(sample.IntervalMs);
        writer.Write7BitEncodedInt64(sample.TxBytes);
        writer.Write7BitEncodedInt64(sample.RxBytes);
        writer.Write7BitEncodedInt64(sample.TxPackets);
        writer.Write7BitEncodedInt64(sample.RxPackets);
        writer.Write7BitEncodedInt64(sample.TxDrops);
        writer.Write7BitEncodedInt64(sample.RxDrops);
        writer.Write7BitEncodedInt64(sample.Errors);
        writer.Write7BitEncodedInt(sample.ReorderDepth);
        writer.Write7BitEncodedInt(sample.ReorderDepthMax);
        writer.Write((byte)((sample.RttMs.HasValue ? 1 : 0) | (sample.LossPercent.HasValue ? 2 : 0)
            | (sample.LargeProbeLossPercent.HasValue ? 4 : 0) | (sample.SmallProbeLossPercent.HasValue ? 8 : 0) | (sample.CpuPercent.HasValue ? 16 : 0)
            | (sample.JitterMs.HasValue ? 32 : 0)));
        if (sample.RttMs is { } rtt)
        {
            writer.Write(rtt);
        }

        if (sample.LossPercent is { } loss)
        {
            writer.Write(loss);
        }

        writer.Write((byte)sample.Health);
        WriteMeasured(writer, sample.LargeProbeLossPercent);
        WriteMeasured(writer, sample.SmallProbeLossPercent);
        WriteMeasured(writer, sample.CpuPercent);
        WriteMeasured(writer, sample.JitterMs);
    }

    /// <summary>Reads one sample written by <see cref="Write"/>, resolving its link in <paramref name="links"/>.</summary>
    /// <exception cref="FormatException">A link index outside the table, unknown flags or an unknown health.</exception>
    /// <exception cref="EndOfStreamException">The input ends inside the sample.</exception>
    public static MemberSample Read(BinaryReader reader, IReadOnlyList<Guid> links)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(links);
        var linkId = ReadLink(reader, links, "a sample");
        var member = reader.ReadString();
        var time = ReadUtcTicks(reader);
        var intervalMs = reader.Read7BitEncodedInt();
        var txBytes = reader.Read7BitEncodedInt64();
        var rxBytes = reader.Read7BitEncodedInt64();
        var txPackets = reader.Read7BitEncodedInt64();
        var rxPackets = reader.Read7BitEncodedInt64();
        var txDrops = reader.Read7BitEncodedInt64();
        var rxDrops = reader.Read7BitEncodedInt64();
        var errors = reader.Read7BitEncodedInt64();
        var reorderDepth = reader.Read7BitEncodedInt();
        var reorderDepthMax = reader.Read7BitEncodedInt();
        var flags = reader.ReadByte();
        if (flags > 63)
        {
            throw new FormatException($"unknown sample flags {flags}");
        }

        double? rtt = (flags & 1) != 0 ? reader.ReadDouble() : null;
        double? loss = (flags & 2) != 0 ? reader.ReadDouble() : null;
        var health = (MemberHealth)reader.ReadByte();
        if (!Enum.IsDefined(health))
        {
            throw new FormatException($"unknown member health {(int)health}");
        }

        double? largeProbeLoss = (flags & 4) != 0 ? reader.ReadDouble() : null;
        double? smallProbeLoss = (flags & 8) != 0 ? reader.ReadDouble() : null;
        double? cpu = (flags & 16) != 0 ? reader.ReadDouble() : null;
        double? jitter = (flags & 32) != 0 ? reader.ReadDouble() : null;

        return new MemberSample
        {
            LinkId = linkId,
            Member = member,
            Time = time,
            IntervalMs = intervalMs,
            TxBytes = txBytes,
            RxBytes = rxBytes,
            TxPackets = txPackets,
            RxPackets = rxPackets,
            TxDrops = txDrops,
            RxDrops = rxDrops,
            Errors = errors,
            ReorderDepth = reorderDepth,
            ReorderDepthMax = reorderDepthMax,
            RttMs = rtt,
            LossPercent = loss,
            Health = health,
            LargeProbeLossPercent = largeProbeLoss,
            SmallProbeLossPercent = smallProbeLoss,
            CpuPercent = cpu,
            JitterMs = jitter,
        };
    }

    private static void WriteMeasured(BinaryWriter writer, double? value)
    {
        if (value is { } measured)
        {
            writer.Write(measured);
        }
    }

    /// <summary>Reads a link written as its index in the caller's table of link ids.</summary>
    /// <exception cref="FormatException">An index outside the table (<paramref name="what"/> says what named it).</exception>
    public static Guid ReadLink(BinaryReader reader, IReadOnlyList<Guid> links, string what)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(links);
        var index = reader.Read7BitEncodedInt();
        return (uint)index < (uint)links.Count ? links[index] : throw new FormatException($"{what} names link #{index} of {links.Count}");
    }

    /// <summary>Reads a time written as its UTC ticks (<see cref="DateTimeOffset.UtcTicks"/>).</summary>
    /// <exception cref="FormatException">The ticks are outside the calendar.</exception>
    /// <exception cref="EndOfStreamException">Fewer than 8 bytes are left.</exception>
    public static DateTimeOffset ReadUtcTicks(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var ticks = reader.ReadInt64();
        return ticks is >= 0 and <= 3155378975999999999 // DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : throw new FormatException($"time ticks {ticks} are outside the calendar");
    }

    /// <summary>Reads a link id written as its 16 bytes (<see cref="Guid.TryWriteBytes(Span{byte})"/>).</summary>
    /// <exception cref="EndOfStreamException">Fewer than 16 bytes are left.</exception>
    public static Guid ReadGuid(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var bytes = reader.ReadBytes(16);
        return bytes.Length == 16 ? new Guid(bytes) : throw new EndOfStreamException();
    }
}
