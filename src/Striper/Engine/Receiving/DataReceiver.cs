using Fleet.Striper.Crypto;
using Fleet.Striper.Packets;
using Fleet.Striper.Paths;
using Fleet.Striper.Reordering;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// Data datagrams, the hot path: decrypts metadata and packet straight into a packet slot, checks that what came out is
/// a data message carrying one whole IP packet, records the path's sequence and delay, drops redundant copies, and
/// hands the packet to the resequencer. Allocates nothing.
/// </summary>
internal sealed unsafe class DataReceiver
{
    private readonly PacketSlots _slots;
    private readonly Resequencer _resequencer;
    private readonly ReceiveSession _session;
    private readonly DelayTracker _delays;

    public DataReceiver(PacketSlots slots, Resequencer resequencer, ReceiveSession session, DelayTracker delays)
    {
        _slots = slots;
        _resequencer = resequencer;
        _session = session;
        _delays = delays;
    }

    /// <summary>A data datagram whose session, epoch and replay window checked out (it is not authenticated yet).</summary>
    public void OnData(PathRuntime path, Span<byte> datagram, in WireHeader header, AeadCipher cipher, int epoch, SessionKeys keys, in RawSocketAddress source, long now)
    {
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
        var packet = plaintext[WireFormat.DataMetaLength..];
        if (meta.Type != (byte)MessageType.Data || meta.FlowClass >= FlowClassifier.ClassCount
            || !IpHeaders.TryParse(packet, out var ipv6, out _, out _) || IpHeaders.DeclaredLength(packet, ipv6) != innerLength)
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
        if (!_session.Globals.Commit(meta.GlobalSequence))
        {
            // A redundant copy (or one too old to tell): the first copy was already taken. It still told how its path
            // is doing (above), now that it proved authentic.
            _slots.Return(slot);
            rx.Duplicates++;
            return;
        }

        _slots.Length[slot] = innerLength;
        _slots.ChecksumPartial[slot] = (meta.Flags & WireFormat.DataFlagChecksumPartial) != 0;
        rx.DataPackets++;
        rx.DataBytes += innerLength;
        _resequencer.Insert(slot, meta.FlowClass, meta.ClassSequence, meta.GlobalSequence, now);
    }
}
