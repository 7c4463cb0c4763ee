namespace Fleet.Contracts.Agents;

/// <summary>
/// The compact binary form of one <see cref="ClassSample"/>, beside <see cref="MemberSampleBinary"/> and with its
/// conventions (the link is an index into the caller's table of link ids):
/// <code>
/// varint linkIndex, string class, string action, i64 utcTicks, varint intervalMs,
/// varint txPackets txBytes duplicatesSent duplicateBytes fecBlocks fecParityPackets fecParityBytes dropNoPath
///        rxPackets rxBytes duplicatesDropped fecRecovered fecLost,
/// u8 flags (1 = pinned member), [string pinnedMember]
/// </code>
/// </summary>
public static class ClassSampleBinary
{
    /// <summary>Writes <paramref name="sample"/>, naming its link by <paramref name="linkIndex"/> in the caller's table.</summary>
    public static void Write(BinaryWriter writer, int linkIndex, ClassSample sample)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(sample);
        writer.Write7BitEncodedInt(linkIndex);
        writer.Write(sample.Class);
        writer.Write(sample.Action);
        writer.Write(sample.Time.UtcTicks);
        writer.Write7BitEncodedInt(sample.IntervalMs);
        writer.Write7BitEncodedInt64(sample.TxPackets);
        writer.Write7BitEncodedInt64(sample.TxBytes);
        writer.Write7BitEncodedInt64(sample.DuplicatesSent);
        writer.Write7BitEncodedInt64(sample.DuplicateBytes);
        writer.Write7BitEncodedInt64(sample.FecBlocks);
        writer.Write7BitEncodedInt64(sample.FecParityPackets);
        writer.Write7BitEncodedInt64(sample.FecParityBytes);
        writer.Write7BitEncodedInt64(sample.DropNoPath);
        writer.Write7BitEncodedInt64(sample.RxPackets);
        writer.Write7BitEncodedInt64(sample.RxBytes);
        writer.Write7BitEncodedInt64(sample.DuplicatesDropped);
        writer.Write7BitEncodedInt64(sample.FecRecovered);
        writer.Write7BitEncodedInt64(sample.FecLost);
        writer.Write((byte)(sample.PinnedMember is null ? 0 : 1));
        if (sample.PinnedMember is { } pinned)
        {
            writer.Write(pinned);
        }
    }

    /// <summary>Reads one sample written by <see cref="Write"/>, resolving its link in <paramref name="links"/>.</summary>
    /// <exception cref="FormatException">A link index outside the table, a negative counter or unknown flags.</exception>
    /// <exception cref="EndOfStreamException">The input ends inside the sample.</exception>
    public static ClassSample Read(BinaryReader reader, IReadOnlyList<Guid> links)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(links);
        var linkId = MemberSampleBinary.ReadLink(reader, links, "a class sample");
        var name = reader.ReadString();
        var action = reader.ReadString();
        var time = MemberSampleBinary.ReadUtcTicks(reader);
        var intervalMs = reader.Read7BitEncodedInt();
        var sample = new ClassSample
        {
            LinkId = linkId,
            Class = name,
            Action = action,
            Time = time,
            IntervalMs = intervalMs,
            TxPackets = Counter(reader),
            TxBytes = Counter(reader),
            DuplicatesSent = Counter(reader),
            DuplicateBytes = Counter(reader),
            FecBlocks = Counter(reader),
            FecParityPackets = Counter(reader),
            FecParityBytes = Counter(reader),
            DropNoPath = Counter(reader),
            RxPackets = Counter(reader),
            RxBytes = Counter(reader),
            DuplicatesDropped = Counter(reader),
            FecRecovered = Counter(reader),
            FecLost = Counter(reader),
        };
        var flags = reader.ReadByte();
        return flags switch
        {
            0 => sample,
            1 => sample with { PinnedMember = reader.ReadString() },
            _ => throw new FormatException($"unknown class sample flags {flags}"),
        };
    }

    private static long Counter(BinaryReader reader)
    {
        var value = reader.Read7BitEncodedInt64();
        return value >= 0 ? value : throw new FormatException($"a class counter is negative ({value})");
    }
}
