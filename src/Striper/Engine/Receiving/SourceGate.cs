using Fleet.Striper.Reordering;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// Between an aggregator site's resequencer and the shared TUN device: a packet whose source address the site does not
/// own is dropped and counted (docs/striper-protocol.md, "Aggregator"). It is dropped after resequencing, not before,
/// so its sequence numbers are taken and hold nothing else back.
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

    /// <inheritdoc />
    public void Release(int slot)
    {
        if (_check.Allows(_slots.Packet(slot)))
        {
            _next.Release(slot);
            return;
        }

        Volatile.Write(ref ForeignSource, ForeignSource + 1);
        _slots.Return(slot);
    }
}
