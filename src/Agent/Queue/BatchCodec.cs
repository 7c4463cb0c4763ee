using System.Text;
using Fleet.Contracts.Agents;

namespace Fleet.Agent.Queue;

/// <summary>
/// The on-disk encoding of a queued batch: compact binary (varints, a per-batch table of link ids) so the queue holds
/// days of samples in little space. Version 1 layout:
/// <code>
/// u8 version
/// varint linkCount, linkCount × guid (16 bytes)
/// varint sampleCount, sampleCount × sample (<see cref="MemberSampleBinary"/>)
/// varint eventCount, per event: i64 utcTicks, u8 kind, u8 severity, u8 flags (1 = link, 2 = member),
///   [guid link], [string member], string message
/// </code>
/// Version 2 is version 1 followed by
/// <c>varint classCount, classCount × class sample (<see cref="ClassSampleBinary"/>),
/// varint stateCount, stateCount × member state (<see cref="MemberStateBinary"/>)</c>, with their links in the table.
/// It is written only for a batch with class samples or member states (striper links, issue 13): a batch without them
/// stays version 1, byte for byte, so it costs what it did and an agent downgraded to before version 2 still reads it.
/// Strings are length-prefixed UTF-8 (<see cref="BinaryWriter.Write(string)"/>).
/// </summary>
internal static class BatchCodec
{
    private const byte Version = 2;

    /// <summary>Encodes samples, events, class samples and member states (the sequence lives in the record header).</summary>
    public static byte[] Encode(IReadOnlyList<MemberSample> samples, IReadOnlyList<AgentEvent> events, StriperReport? striper = null)
    {
        var classes = striper?.Classes ?? [];
        var states = striper?.MemberStates ?? [];
        var withClasses = classes.Count > 0 || states.Count > 0;
        using var stream = new MemoryStream(64 + samples.Count * 64);
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(withClasses ? (byte)2 : (byte)1);
            var links = new List<Guid>();
            var linkIndex = new Dictionary<Guid, int>();
            foreach (var sample in samples)
            {
                if (linkIndex.TryAdd(sample.LinkId, links.Count))
                {
                    links.Add(sample.LinkId);
                }
            }

            foreach (var link in classes.Select(c => c.LinkId).Concat(states.Select(s => s.LinkId)))
            {
                if (linkIndex.TryAdd(link, links.Count))
                {
                    links.Add(link);
                }
            }

            writer.Write7BitEncodedInt(links.Count);
            Span<byte> guid = stackalloc byte[16];
            foreach (var link in links)
            {
                link.TryWriteBytes(guid);
                writer.Write(guid);
            }

            writer.Write7BitEncodedInt(samples.Count);
            foreach (var s in samples)
            {
                MemberSampleBinary.Write(writer, linkIndex[s.LinkId], s);
            }

            writer.Write7BitEncodedInt(events.Count);
            foreach (var e in events)
            {
                writer.Write(e.Time.UtcTicks);
                writer.Write((byte)e.Kind);
                writer.Write((byte)e.Severity);
                writer.Write((byte)((e.LinkId.HasValue ? 1 : 0) | (e.Member is not null ? 2 : 0)));
                if (e.LinkId is { } link)
                {
                    link.TryWriteBytes(guid);
                    writer.Write(guid);
                }

                if (e.Member is not null)
                {
                    writer.Write(e.Member);
                }

                writer.Write(e.Message);
            }

            if (withClasses)
            {
                writer.Write7BitEncodedInt(classes.Count);
                foreach (var c in classes)
                {
                    ClassSampleBinary.Write(writer, linkIndex[c.LinkId], c);
                }

                writer.Write7BitEncodedInt(states.Count);
                foreach (var state in states)
                {
                    MemberStateBinary.Write(writer, linkIndex[state.LinkId], state);
                }
            }
        }

        return stream.ToArray();
    }

    /// <summary>Decodes a payload written by <see cref="Encode"/>.</summary>
    /// <exception cref="InvalidDataException">The payload is not a batch of a known version.</exception>
    public static SampleBatch Decode(long sequence, ReadOnlySpan<byte> payload)
    {
        try
        {
            return DecodeCore(sequence, payload.ToArray());
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"queued batch {sequence} is truncated", ex);
        }
        catch (IOException ex)
        {
            // BinaryReader's word for a string length that is negative: the bytes are not a batch.
            throw new InvalidDataException($"queued batch {sequence} is malformed: {ex.Message}", ex);
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"queued batch {sequence} is malformed: {ex.Message}", ex);
        }
    }

    private static SampleBatch DecodeCore(long sequence, byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
        var version = reader.ReadByte();

        // Every version this agent wrote stays readable after an upgrade: a new layout gets a new number and its own
        // decoder beside the old one. A number above ours was written by a newer agent (then downgraded): not ours to
        // guess at.
        return version switch
        {
            1 => DecodeVersion1Or2(sequence, reader, withClasses: false),
            2 => DecodeVersion1Or2(sequence, reader, withClasses: true),
            > Version => throw new InvalidDataException($"queued batch {sequence} has format version {version}, written by a newer fleet-agent (this one reads up to {Version})"),
            _ => throw new InvalidDataException($"queued batch {sequence} has unknown format version {version}"),
        };
    }

    /// <summary>A list's length, which cannot be negative nor exceed the bytes left (every item takes at least one).</summary>
    private static int Count(BinaryReader reader)
    {
        var count = reader.Read7BitEncodedInt();
        return count >= 0 && count <= reader.BaseStream.Length - reader.BaseStream.Position
            ? count
            : throw new FormatException($"a list of {count} items in {reader.BaseStream.Length - reader.BaseStream.Position} bytes");
    }

    /// <summary>Version 1, and version 2 (<paramref name="withClasses"/>): version 1 with class samples after it.</summary>
    private static SampleBatch DecodeVersion1Or2(long sequence, BinaryReader reader, bool withClasses)
    {
        var linkCount = Count(reader);
        var links = new Guid[linkCount];
        for (var i = 0; i < linkCount; i++)
        {
            links[i] = MemberSampleBinary.ReadGuid(reader);
        }

        var sampleCount = Count(reader);
        var samples = new MemberSample[sampleCount];
        for (var i = 0; i < sampleCount; i++)
        {
            samples[i] = MemberSampleBinary.Read(reader, links);
        }

        var eventCount = Count(reader);
        var events = new AgentEvent[eventCount];
        for (var i = 0; i < eventCount; i++)
        {
            var time = MemberSampleBinary.ReadUtcTicks(reader);
            var kind = (AgentEventKind)reader.ReadByte();
            var severity = (EventSeverity)reader.ReadByte();
            var flags = reader.ReadByte();
            Guid? link = (flags & 1) != 0 ? MemberSampleBinary.ReadGuid(reader) : null;
            var member = (flags & 2) != 0 ? reader.ReadString() : null;
            var message = reader.ReadString();
            events[i] = new AgentEvent { Time = time, Kind = kind, Severity = severity, LinkId = link, Member = member, Message = message };
        }

        ClassSample[]? classes = null;
        MemberState[]? states = null;
        if (withClasses)
        {
            classes = new ClassSample[Count(reader)];
            for (var i = 0; i < classes.Length; i++)
            {
                classes[i] = ClassSampleBinary.Read(reader, links);
            }

            states = new MemberState[Count(reader)];
            for (var i = 0; i < states.Length; i++)
            {
                states[i] = MemberStateBinary.Read(reader, links);
            }
        }

        return new SampleBatch
        {
            Sequence = sequence,
            Samples = samples,
            Events = events,
            Striper = classes is null || states is null ? null : StriperReports.NullIfEmpty(new StriperReport { Classes = classes, MemberStates = states }),
        };
    }
}
