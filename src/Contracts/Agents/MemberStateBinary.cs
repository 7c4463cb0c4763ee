using Fleet.Contracts.Links;

namespace Fleet.Contracts.Agents;

/// <summary>
/// The compact binary form of one <see cref="MemberState"/>, with <see cref="MemberSampleBinary"/>'s conventions:
/// <code>
/// varint linkIndex, string member, i64 utcTicks, u8 tier, u8 flags (1 = idle reason), [string idleReason]
/// </code>
/// </summary>
public static class MemberStateBinary
{
    /// <summary>Writes <paramref name="state"/>, naming its link by <paramref name="linkIndex"/> in the caller's table.</summary>
    public static void Write(BinaryWriter writer, int linkIndex, MemberState state)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(state);
        writer.Write7BitEncodedInt(linkIndex);
        writer.Write(state.Member);
        writer.Write(state.Time.UtcTicks);
        writer.Write((byte)state.Tier);
        writer.Write((byte)(state.IdleReason is null ? 0 : 1));
        if (state.IdleReason is { } reason)
        {
            writer.Write(reason);
        }
    }

    /// <summary>Reads one state written by <see cref="Write"/>, resolving its link in <paramref name="links"/>.</summary>
    /// <exception cref="FormatException">A link index outside the table, an unknown tier or unknown flags.</exception>
    /// <exception cref="EndOfStreamException">The input ends inside the state.</exception>
    public static MemberState Read(BinaryReader reader, IReadOnlyList<Guid> links)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(links);
        var linkId = MemberSampleBinary.ReadLink(reader, links, "a member state");
        var member = reader.ReadString();
        var time = MemberSampleBinary.ReadUtcTicks(reader);
        var tier = (LinkTier)reader.ReadByte();
        if (!Enum.IsDefined(tier))
        {
            throw new FormatException($"unknown tier {(int)tier}");
        }

        var flags = reader.ReadByte();
        var idle = flags switch
        {
            0 => null,
            1 => reader.ReadString(),
            _ => throw new FormatException($"unknown member state flags {flags}"),
        };
        return new MemberState { LinkId = linkId, Member = member, Time = time, Tier = tier, IdleReason = idle };
    }
}
