using Fleet.Striper.Reordering;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// Between an aggregator site's resequencer and the shared TUN device: a packet whose source address the site does not
/// own is dropped and counted (docs/striper-protocol.md, "Aggregator"). It is dropped after resequencing, not before,
/// so its sequence numbers are taken and hold nothing else back. IPv6 link-scoped packets (a link-local or unspecified
/// source, or a link-local multicast destination: the router solicitations and MLD reports the kernel sends on any
/// device it brings up) are dropped too but counted apart: they are the site's own link chatter, never routable past
/// the shared device, and not an attempt to send from another site's address.
/// </summary>
internal sealed unsafe class SourceGate : IReleaseSink
{
    private readonly IReleaseSink _next;
    private readonly PacketSlots _slots;
    private readonly IInboundSourceCheck _check;

    public SourceGate(IReleaseSink next, PacketSlots slots, IInboundSourceCheck check)
    {
        _next = next;
        _slots = slots;
        _check = check;
    }

    /// <summary>Packets dropped because their source is not one of the site's prefixes.</summary>
    public long ForeignSource;

    /// <summary>IPv6 link-scoped packets dropped (<see cref="IsLinkScoped"/>).</summary>
    public long LinkScoped;

    /// <inheritdoc />
    public void Release(int slot)
    {
        if (_check.Allows(_slots.Packet(slot)))
        {
            _next.Release(slot);
            return;
        }

        if (IsLinkScoped(_slots.Packet(slot)))
        {
            Volatile.Write(ref LinkScoped, LinkScoped + 1);
        }
        else
        {
            Volatile.Write(ref ForeignSource, ForeignSource + 1);
        }

        _slots.Return(slot);
    }

    /// <summary>
    /// True for an IPv6 packet from fe80::/10 or ::, or to ff02::/16: traffic of the link it was sent on, which a
    /// router never forwards (RFC 4291, section 2.5.6; RFC 4007).
    /// </summary>
    internal static bool IsLinkScoped(ReadOnlySpan<byte> packet)
    {
        const int SourceOffset = 8, DestinationOffset = 24, HeaderLength = 40;
        if (packet.Length < HeaderLength || packet[0] >> 4 != 6)
        {
            return false;
        }

        var source = packet.Slice(SourceOffset, 16);
        return (source[0] == 0xfe && (source[1] & 0xc0) == 0x80)
            || !source.ContainsAnyExcept((byte)0)
            || (packet[DestinationOffset] == 0xff && (packet[DestinationOffset + 1] & 0x0f) == 0x02);
    }
}
