using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Classes;
using Fleet.Striper.Crypto;
using Fleet.Striper.Fec;
using Fleet.Striper.Packets;
using Fleet.Striper.Paths;
using Fleet.Striper.Reordering;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// Data datagrams, the hot path: decrypts metadata and payload straight into a packet slot, checks that what came out
/// is a data message carrying one whole IP packet (or FEC parity), records the path's sequence and delay, drops
/// copies of packets already delivered (first copy wins, exactly once), keeps protected packets for the FEC decoder,
/// hands the packet to the resequencer, and delivers what the decoder recovers the same way. Allocates nothing.
/// </summary>
internal sealed unsafe class DataReceiver : IRecoveredSink
{
    private readonly PacketSlots _slots;
    private readonly Resequencer _resequencer;
    private readonly ReceiveSession _session;
    private readonly DelayTracker _delays;
    private readonly ClassRxCounters[] _classes;
    private long _now;

    public DataReceiver(PacketSlots slots, Resequencer resequencer, ReceiveSession session, DelayTracker delays, ClassRxCounters[] classes)
    {
        _slots = slots;
        _resequencer = resequencer;
        _session = session;
        _delays = delays;
        _classes = classes;
        Fec = new FecDecoder(slots.Capacity, classes, this, MonotonicClock.TicksFromSeconds(FecDecoder.MaxAgeSeconds));
    }

    /// <summary>The FEC decoder of what the peer protects.</summary>
    public FecDecoder Fec { get; }

    /// <summary>Recovered packets that were not a valid IP packet (a lying or broken peer), and recovered packets already delivered.</summary>
    public long RecoveredMalformed { get; private set; }

    /// <summary>A data datagram whose session, epoch and replay window checked out (it is not authenticated yet).</summary>
    public void OnData(PathRuntime path, Span<byte> datagram, in WireHeader header, AeadCipher cipher, int epoch, SessionKeys keys, in RawSocketAddress source, long now)
    {
        // A parity payload is a symbol of a packet at most the MTU minus the symbol's prefix, so it fits a slot too.
        var innerLength = datagram.Length - WireFormat.DataOverhead;
        if (innerLength > _slots.Capacity)
        {
            path.Rx.Malformed++;
            return;
        }

        var slot = _slots.Rent();
        if (slot < 0)
        {
            path.Rx.NoBuffer++;
            return;
        }

        // Metadata and packet decrypt together straight into the slot: the packet lands where the TUN writer takes it.
        _now = now;
        var sealedLength = WireFormat.DataMetaLength + innerLength;
        var plaintext = new Span<byte>(_slots.Base(slot), sealedLength);
        if (!cipher.Open(datagram.Slice(WireFormat.NonceOffset, WireFormat.NonceLength), datagram.Slice(WireFormat.HeaderLength, sealedLength),
                datagram.Slice(WireFormat.HeaderLength + sealedLength, WireFormat.TagLength), plaintext, default))
        {
            _slots.Return(slot);
            path.Rx.AuthFailures++;
            return;
        }

        var meta = DataMeta.Read(plaintext);
        var payload = plaintext[WireFormat.DataMetaLength..];
        // The header's path id is not authenticated (data has no associated data) but chooses an aggregator site's path
        // (docs/striper-protocol.md, "Aggregator"): the sealed metadata must repeat it.
        if (!WellFormed(meta, payload, innerLength) || meta.PathId != header.PathId)
        {
            // Authentic but not what a data message must be: a peer bug; never write it to the device.
            _slots.Return(slot);
            path.Rx.Malformed++;
            return;
        }

        _session.Authenticated(keys, header.Stream, header.Counter, epoch, path, source);
        var rx = path.Rx;
        rx.LastDataTicks = now;
        rx.SenderPathId = meta.PathId;
        _delays.Track(rx, meta.SendTimeMicros, now);
        _resequencer.OnPathData(path.Index, meta.PathSequence, meta.GlobalSequence, now);
        var counters = _classes[meta.TrafficClass];
        if (!_session.Globals.Commit(meta.GlobalSequence))
        {
            // A copy of a packet already delivered (or one too old to tell): the first copy was taken. It still told
            // how its path is doing (above), now that it proved authentic.
            _slots.Return(slot);
            rx.Duplicates++;
            counters.DuplicatesDropped++;
            return;
        }

        if (meta.IsParity)
        {
            if (!Fec.OnParity(meta.TrafficClass, meta.FecBlock, meta.FecIndex, meta.FecData, meta.FecParity, payload, now))
            {
                rx.Malformed++;
            }

            _slots.Return(slot);
            return;
        }

        if (meta.FecData != 0)
        {
            // Keep its symbol for the block's recovery before the packet goes on (and its slot with it).
            Span<byte> prefix = stackalloc byte[FecSymbol.PrefixLength];
            FecSymbol.WritePrefix(prefix, innerLength, meta.Flags, meta.FlowClass, meta.ClassSequence, meta.GlobalSequence);
            if (!Fec.OnData(meta.TrafficClass, meta.FecBlock, meta.FecIndex, meta.FecData, meta.FecParity, prefix, payload, now))
            {
                rx.Malformed++;
            }
        }

        _slots.Length[slot] = innerLength;
        _slots.ChecksumPartial[slot] = (meta.Flags & WireFormat.DataFlagChecksumPartial) != 0;
        rx.DataPackets++;
        rx.DataBytes += innerLength;
        counters.Packets++;
        counters.Bytes += innerLength;
        _resequencer.Insert(slot, meta.FlowClass, meta.ClassSequence, meta.GlobalSequence, now);
    }

    /// <inheritdoc />
    public bool Recovered(int trafficClass, ReadOnlySpan<byte> symbol)
    {
        if (!FecSymbol.TryReadPrefix(symbol, out var length, out var flags, out var flowClass, out var classSequence, out var global)
            || length > _slots.Capacity || flowClass >= FlowClassifier.ClassCount || (flags & ~WireFormat.DataFlagChecksumPartial) != 0)
        {
            RecoveredMalformed++;
            return false;
        }

        var packet = symbol.Slice(FecSymbol.PrefixLength, length);
        if (!IpHeaders.TryParse(packet, out var ipv6, out _, out _) || IpHeaders.DeclaredLength(packet, ipv6) != length
            || !_session.Globals.Commit(global))
        {
            RecoveredMalformed++;
            return false;
        }

        var slot = _slots.Rent();
        if (slot < 0)
        {
            return false;
        }

        packet.CopyTo(new Span<byte>(_slots.Pointer(slot), length));
        _slots.Length[slot] = length;
        _slots.ChecksumPartial[slot] = (flags & WireFormat.DataFlagChecksumPartial) != 0;
        _classes[trafficClass].Packets++;
        _classes[trafficClass].Bytes += length;
        _resequencer.Insert(slot, flowClass, classSequence, global, _now);
        return true;
    }

    private static bool WellFormed(in DataMeta meta, ReadOnlySpan<byte> payload, int innerLength)
    {
        if (meta.Type != (byte)MessageType.Data || (meta.Flags & ~WireFormat.DataFlagsKnown) != 0
            || meta.TrafficClass > LinkSpecValidator.MaxClasses)
        {
            return false;
        }

        if (meta.IsParity)
        {
            return meta.FecData != 0 && (meta.Flags & WireFormat.DataFlagChecksumPartial) == 0;
        }

        return meta.FlowClass < FlowClassifier.ClassCount && (meta.FecData != 0 || (meta.FecParity == 0 && meta.FecIndex == 0 && meta.FecBlock == 0))
            && IpHeaders.TryParse(payload, out var ipv6, out _, out _) && IpHeaders.DeclaredLength(payload, ipv6) == innerLength;
    }
}
