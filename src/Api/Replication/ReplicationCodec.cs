using System.Globalization;
using System.Text;
using Fleet.Api.Links;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;

namespace Fleet.Api.Replication;

/// <summary>What arrived on the live channel from another replica.</summary>
/// <param name="Origin">The replica that stored it.</param>
/// <param name="HostId">The host (for states: the link's host).</param>
/// <param name="Samples">Stored samples, or empty for a state change.</param>
/// <param name="State">A link state change, or null for samples.</param>
public sealed record LiveNotification(Guid Origin, Guid HostId, IReadOnlyList<MemberSample> Samples, LiveLinkState? State);

/// <summary>
/// The NOTIFY payloads replicas exchange. PostgreSQL refuses payloads of 8000 bytes or more, so every payload is
/// at most <see cref="MaxPayloadChars"/> ASCII characters. Link changes are short text
/// (<c>origin kind host link generation</c>); live payloads are base64 of a small binary form (varints), samples
/// split into as many payloads as needed, each self-contained. Every payload names its origin replica so a replica
/// ignores its own.
/// </summary>
public static class ReplicationCodec
{
    /// <summary>Longest payload produced (PostgreSQL's limit is 7999 bytes).</summary>
    public const int MaxPayloadChars = 7_800;

    /// <summary>Longest error text relayed with a state change (longer ones are cut, ending in "…").</summary>
    public const int MaxErrorChars = 1_000;

    private const byte SamplesTag = 1;
    private const byte StateTag = 2;
    private const int HeaderBytes = 1 + 16 + 16;

    // Bytes the two counts (links, samples) can take as 7-bit varints at most, for chunk sizing.
    private const int CountBytes = 5 + 5;

    /// <summary>A link change as text: <c>origin kind host link generation</c>.</summary>
    public static string EncodeLinkChange(Guid origin, LinkChange change) => string.Create(
        CultureInfo.InvariantCulture,
        $"{origin:N} {(int)change.Kind} {change.HostId:N} {change.LinkId:N} {change.Generation}");

    /// <summary>Reads <see cref="EncodeLinkChange"/>'s text; throws <see cref="FormatException"/> on anything else.</summary>
    public static (Guid Origin, LinkChange Change) DecodeLinkChange(string payload)
    {
        var parts = payload.Split(' ');
        if (parts.Length != 5
            || !Guid.TryParseExact(parts[0], "N", out var origin)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kind)
            || !Enum.IsDefined((LinkChangeKind)kind)
            || !Guid.TryParseExact(parts[2], "N", out var host)
            || !Guid.TryParseExact(parts[3], "N", out var link)
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            throw new FormatException("not a link change payload");
        }

        return (origin, new LinkChange((LinkChangeKind)kind, host, link, generation));
    }

    /// <summary>
    /// Samples of one host as payloads of at most <paramref name="maxChars"/> characters each, in order; every
    /// payload carries its own link table.
    /// </summary>
    public static List<string> EncodeSamples(Guid origin, Guid hostId, IReadOnlyList<MemberSample> samples, int maxChars = MaxPayloadChars)
    {
        var maxBytes = maxChars / 4 * 3;
        var payloads = new List<string>();
        var links = new List<Guid>();
        using var body = new MemoryStream();
        using var bodyWriter = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true);
        using var one = new MemoryStream();
        using var oneWriter = new BinaryWriter(one, Encoding.UTF8, leaveOpen: true);
        var count = 0;
        foreach (var sample in samples)
        {
            var index = links.IndexOf(sample.LinkId);
            var newLink = index < 0;
            if (newLink)
            {
                index = links.Count;
            }

            one.SetLength(0);
            MemberSampleBinary.Write(oneWriter, index, sample);
            oneWriter.Flush();
            if (count > 0 && Projected(links.Count + (newLink ? 1 : 0), body.Length + one.Length) > maxBytes)
            {
                payloads.Add(FinishSamples(origin, hostId, links, count, body));
                links.Clear();
                body.SetLength(0);
                count = 0;
                index = 0;
                newLink = true;
                one.SetLength(0);
                MemberSampleBinary.Write(oneWriter, index, sample);
                oneWriter.Flush();
            }

            if (Projected(links.Count + (newLink ? 1 : 0), body.Length + one.Length) > maxBytes)
            {
                throw new ArgumentException($"one sample does not fit in {maxChars} characters", nameof(maxChars));
            }

            if (newLink)
            {
                links.Add(sample.LinkId);
            }

            one.Position = 0;
            one.CopyTo(body);
            count++;
        }

        if (count > 0)
        {
            payloads.Add(FinishSamples(origin, hostId, links, count, body));
        }

        return payloads;

        static long Projected(int linkCount, long bodyBytes) => HeaderBytes + CountBytes + (16L * linkCount) + bodyBytes;
    }

    /// <summary>A link state change as one payload (its error cut to <see cref="MaxErrorChars"/>).</summary>
    public static string EncodeState(Guid origin, LiveLinkState state)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(StateTag);
            writer.Write(origin.ToByteArray());
            writer.Write(state.HostId.ToByteArray());
            writer.Write(state.LinkId.ToByteArray());
            writer.Write7BitEncodedInt((int)state.Phase);
            writer.Write7BitEncodedInt64(state.DesiredGeneration);
            writer.Write7BitEncodedInt64(state.ObservedGeneration);
            writer.Write(state.AwaitingConfirm);
            writer.Write7BitEncodedInt64(state.Time.UtcTicks);
            writer.Write(state.Error is not null);
            if (state.Error is { } error)
            {
                writer.Write(error.Length <= MaxErrorChars ? error : string.Concat(error.AsSpan(0, MaxErrorChars - 1), "…"));
            }

            writer.Write(state.Health is not null);
            if (state.Health is { } health)
            {
                writer.Write7BitEncodedInt((int)health);
            }
        }

        return Convert.ToBase64String(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>Reads a live payload (samples or a state); throws <see cref="FormatException"/> on anything else.</summary>
    public static LiveNotification DecodeLive(string payload)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(payload);
            using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
            var tag = reader.ReadByte();
            var origin = MemberSampleBinary.ReadGuid(reader);
            var hostId = MemberSampleBinary.ReadGuid(reader);
            LiveNotification notification;
            switch (tag)
            {
                case SamplesTag:
                    notification = new LiveNotification(origin, hostId, ReadSamples(reader), null);
                    break;
                case StateTag:
                    notification = new LiveNotification(origin, hostId, [], ReadState(reader, hostId));
                    break;
                default:
                    throw new FormatException($"unknown live payload kind {tag}");
            }

            if (reader.BaseStream.Position != bytes.Length)
            {
                throw new FormatException("trailing bytes in a live payload");
            }

            return notification;
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentOutOfRangeException or ArgumentException or OverflowException)
        {
            throw new FormatException("a malformed live payload", ex);
        }
    }

    /// <summary>The origin replica of a live payload, read without decoding the rest (empty when unreadable).</summary>
    public static Guid LiveOrigin(string payload)
    {
        // 24 base64 characters are the first 18 bytes: the kind and the origin.
        Span<byte> head = stackalloc byte[18];
        return payload.Length >= 24 && Convert.TryFromBase64Chars(payload.AsSpan(0, 24), head, out var written) && written == 18
            ? new Guid(head.Slice(1, 16))
            : Guid.Empty;
    }

    private static string FinishSamples(Guid origin, Guid hostId, List<Guid> links, int count, MemoryStream body)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(SamplesTag);
            writer.Write(origin.ToByteArray());
            writer.Write(hostId.ToByteArray());
            writer.Write7BitEncodedInt(links.Count);
            foreach (var link in links)
            {
                writer.Write(link.ToByteArray());
            }

            writer.Write7BitEncodedInt(count);
            writer.Write(body.GetBuffer(), 0, (int)body.Length);
        }

        return Convert.ToBase64String(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static List<MemberSample> ReadSamples(BinaryReader reader)
    {
        var linkCount = reader.Read7BitEncodedInt();
        if (linkCount is < 0 or > 1_000)
        {
            throw new FormatException("bad link count");
        }

        var links = new Guid[linkCount];
        for (var i = 0; i < linkCount; i++)
        {
            links[i] = MemberSampleBinary.ReadGuid(reader);
        }

        var count = reader.Read7BitEncodedInt();
        if (count is < 0 or > MaxPayloadChars)
        {
            throw new FormatException("bad sample count");
        }

        var samples = new List<MemberSample>(count);
        for (var i = 0; i < count; i++)
        {
            samples.Add(MemberSampleBinary.Read(reader, links));
        }

        return samples;
    }

    private static LiveLinkState ReadState(BinaryReader reader, Guid hostId)
    {
        var linkId = MemberSampleBinary.ReadGuid(reader);
        var phase = (LinkPhase)reader.Read7BitEncodedInt();
        if (!Enum.IsDefined(phase))
        {
            throw new FormatException("bad phase");
        }

        var desired = reader.Read7BitEncodedInt64();
        var observed = reader.Read7BitEncodedInt64();
        var awaitingConfirm = reader.ReadBoolean();
        var time = new DateTimeOffset(reader.Read7BitEncodedInt64(), TimeSpan.Zero);
        var error = reader.ReadBoolean() ? reader.ReadString() : null;

        // A replica of the version before link health sent no health.
        LinkHealth? health = null;
        if (reader.BaseStream.Position < reader.BaseStream.Length && reader.ReadBoolean())
        {
            health = (LinkHealth)reader.Read7BitEncodedInt();
            if (!Enum.IsDefined(health.Value))
            {
                throw new FormatException("bad link health");
            }
        }

        return new LiveLinkState
        {
            LinkId = linkId,
            HostId = hostId,
            Phase = phase,
            DesiredGeneration = desired,
            ObservedGeneration = observed,
            AwaitingConfirm = awaitingConfirm,
            Time = time,
            Error = error,
            Health = health,
        };
    }
}
