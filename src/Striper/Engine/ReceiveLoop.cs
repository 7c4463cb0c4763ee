using System.Runtime.InteropServices;
using Fleet.Striper.Crypto;
using Fleet.Striper.Health;
using Fleet.Striper.Interop;
using Fleet.Striper.Packets;
using Fleet.Striper.Paths;
using Fleet.Striper.Reordering;
using Fleet.Striper.Tun;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine;

/// <summary>Counters of the receiving side of the link.</summary>
internal sealed class ReceiveCounters
{
    public long Hellos;
    public long HelloReplies;
    public long Probes;
    public long ProbeAcks;
    public long Reports;
    public long ReportsSent;
    public long BadEpoch;
    public long Truncated;

    /// <summary>Bytes the receiving thread allocated on the managed heap (should stay flat while traffic flows).</summary>
    public long AllocatedBytes;
}

/// <summary>
/// The receiving thread: drains every path socket with recvmmsg (trains of datagrams when UDP GRO is on), checks
/// each datagram's header, session tag and replay window before spending a decryption on it, decrypts data straight
/// into a packet slot, and hands it to the resequencer, whose in-order releases the TUN writer coalesces into large
/// writes. It answers probes, runs the handshake, adapts the hold time and reports silent paths to the peer.
/// Forged, replayed, truncated and garbage datagrams are counted and dropped; none can throw.
/// </summary>
internal sealed unsafe class ReceiveLoop : IDisposable
{
    public const uint Stream = 2;
    private const int NameLength = 32;
    private const int ControlLength = 64;
    private const int GroBufferLength = 65536;
    private const int GroMessages = 8;
    private const int PlainMessages = 64;
    private static readonly long s_housekeepingTicks = MonotonicClock.TicksFromSeconds(0.005);
    private static readonly long s_reportIntervalTicks = MonotonicClock.TicksFromSeconds(0.05);
    private static readonly long s_activeWindowTicks = MonotonicClock.TicksFromSeconds(2);
    private static readonly long s_minOwdWindowTicks = MonotonicClock.TicksFromSeconds(10);
    private static readonly long s_lagLearnTicks = MonotonicClock.TicksFromSeconds(0.1);
    private const double MinStallMicros = 15_000;

    private readonly StriperEngine _engine;
    private readonly Ring[] _rings;
    private readonly PacketSlots _slots;
    private readonly TunWriter _writer;
    private readonly Resequencer _resequencer;
    private readonly ReplayWindow[] _replay = new ReplayWindow[WireFormat.MaxStreams];
    private readonly ReplayWindow _globals;
    private readonly ControlSender _control = new(Stream);
    private readonly AeadCipher _helloCipher;
    private readonly double[] _prevMinOwd;
    private readonly long[] _lastHelloReply;
    private SessionKeys? _keys;
    private bool _confirmed;
    private bool _owdBaseSet;
    private uint _owdBase;
    private long _nextHousekeeping;
    private long _lastReport;
    private long _minOwdRotation;

    public ReceiveLoop(StriperEngine engine)
    {
        _engine = engine;
        var paths = engine.Paths;
        _rings = new Ring[paths.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            var gro = paths[i].Socket.GroEnabled;
            _rings[i] = new Ring(gro ? GroMessages : PlainMessages, gro ? GroBufferLength : engine.MaxDatagram + 64);
        }

        // Enough slots for a full reorder window plus what the writer holds; sized from the MTU, with room in front
        // of each packet for the metadata it is decrypted with.
        var slotSize = (engine.TunMtu + WireFormat.DataMetaLength + 63) & ~63;
        var slotCount = Math.Clamp((32 << 20) / slotSize, 4096, 16384);
        _slots = new PacketSlots(slotCount, slotSize, WireFormat.DataMetaLength);
        _writer = new TunWriter(engine.Tun, _slots, engine.Tun.Features.VnetHeader);
        _resequencer = new Resequencer(_writer, _slots, 4096, paths.Length) { MinPathGapTicks = MonotonicClock.TicksFromSeconds(0.001) };
        for (var i = 0; i < _replay.Length; i++)
        {
            // At least as deep as the reorder buffer (every slot may be held), as the design requires.
            _replay[i] = new ReplayWindow(slotCount);
        }

        _globals = new ReplayWindow(slotCount);
        _helloCipher = new AeadCipher(engine.Cipher, engine.HelloKey);
        _prevMinOwd = new double[paths.Length];
        Array.Fill(_prevMinOwd, double.MaxValue);
        _lastHelloReply = new long[paths.Length];
        UpdateHold(MonotonicClock.Now());
    }

    public ReceiveCounters Counters { get; } = new();

    public Resequencer Resequencer => _resequencer;

    public TunWriterCounters WriterCounters => _writer.Counters;

    /// <summary>Current hold time in milliseconds.</summary>
    public double HoldMilliseconds { get; private set; }

    public int SlotsInUse => _slots.Count - _slots.Available;

    public void Run()
    {
        var paths = _engine.Paths;
        var poll = stackalloc PollFd[paths.Length + 1];
        for (var i = 0; i < paths.Length; i++)
        {
            poll[i].Fd = paths[i].Socket.Fd.Number;
            poll[i].Events = Native.POLLIN;
        }

        poll[paths.Length].Fd = _engine.WakeFd.Number;
        poll[paths.Length].Events = Native.POLLIN;
        while (!_engine.Stopping)
        {
            var any = false;
            var caughtUp = true;
            for (var p = 0; p < paths.Length; p++)
            {
                var received = Drain(p);
                any |= received > 0;
                caughtUp &= received < _rings[p].Count;
            }

            var now = MonotonicClock.Now();
            _resequencer.ReleaseDue(now, caughtUp);
            _writer.Flush();
            if (now >= _nextHousekeeping)
            {
                _nextHousekeeping = now + s_housekeepingTicks;
                Volatile.Write(ref Counters.AllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
                UpdateHold(now);
                if (caughtUp)
                {
                    // Only judge silence with every socket read empty: a backlog in one socket looks like a stall.
                    DetectStalls(now);
                }
            }

            if (!any)
            {
                var deadline = Math.Min(_resequencer.NextDeadline(), _nextHousekeeping + (20 * s_housekeepingTicks));
                var wait = deadline == long.MaxValue ? -1 : Math.Max(0, MonotonicClock.TicksToNanoseconds(deadline - now));
                SystemCalls.Poll(poll, paths.Length + 1, wait);
            }
        }
    }

    public void Dispose()
    {
        foreach (var ring in _rings)
        {
            ring.Dispose();
        }

        _writer.Dispose();
        _slots.Dispose();
        _control.Dispose();
        _helloCipher.Dispose();
    }

    /// <summary>Reads one batch from path <paramref name="p"/>; returns the number of messages (a full batch means more may wait).</summary>
    private int Drain(int p)
    {
        var ring = _rings[p];
        var path = _engine.Paths[p];
        ring.Prepare();
        var n = SystemCalls.RecvMmsg(path.Socket.Fd, ring.Messages, ring.Count, out _);
        if (n <= 0)
        {
            return 0;
        }

        var now = MonotonicClock.Now();
        for (var i = 0; i < n; i++)
        {
            ref var message = ref ring.Messages[i];
            var length = (int)message.Length;
            if ((message.Header.Flags & Native.MSG_TRUNC) != 0)
            {
                Counters.Truncated++;
                path.Rx.Malformed++;
                continue;
            }

            var source = RawSocketAddress.FromKernel(new ReadOnlySpan<byte>(message.Header.Name, (int)message.Header.NameLength), (int)message.Header.NameLength);
            var segment = SegmentSize(ref message.Header, length);
            var data = ring.Buffer(i);
            for (var offset = 0; offset < length; offset += segment)
            {
                var size = Math.Min(segment, length - offset);
                path.Rx.Packets++;
                path.Rx.Bytes += size;
                HandleDatagram(path, new Span<byte>(data + offset, size), source, now);
            }
        }

        return n;
    }

    private static int SegmentSize(ref MessageHeader header, int length)
    {
        // The UDP_GRO control message gives the size of the datagrams in a coalesced train (udp(7)).
        var control = (byte*)header.Control;
        var end = control + header.ControlLength;
        while (control + sizeof(ControlMessageHeader) <= end)
        {
            var cmsg = (ControlMessageHeader*)control;
            if (cmsg->Length < (nuint)sizeof(ControlMessageHeader))
            {
                break;
            }

            if (cmsg->Level == Native.IPPROTO_UDP && cmsg->Type == Native.UDP_GRO)
            {
                var size = *(int*)(cmsg + 1);
                return size > 0 ? size : length;
            }

            control += (int)((cmsg->Length + 7) & ~(nuint)7);
        }

        return Math.Max(length, 1);
    }

    private void HandleDatagram(PathRuntime path, Span<byte> datagram, in RawSocketAddress source, long now)
    {
        if (!WireHeader.TryParse(datagram, out var header))
        {
            path.Rx.Malformed++;
            return;
        }

        if (header.Type == MessageType.Hello)
        {
            HandleHello(path, datagram, header, source, now);
            return;
        }

        var keys = _engine.Session;
        if (keys is null || header.SessionTag != keys.RxTag)
        {
            path.Rx.UnknownSession++;
            return;
        }

        if (!ReferenceEquals(keys, _keys))
        {
            OnNewSession(keys);
        }

        var cipher = keys.RxCipher(header.Epoch, out var epoch);
        if (cipher is null)
        {
            Counters.BadEpoch++;
            path.Rx.AuthFailures++;
            return;
        }

        var window = _replay[header.Stream];
        if (window.Check(header.Counter) != ReplayWindow.Verdict.Fresh)
        {
            path.Rx.Replays++;
            return;
        }

        if (header.Type == MessageType.Data)
        {
            HandleData(path, datagram, header, cipher, epoch, keys, source, now);
            return;
        }

        Span<byte> body = stackalloc byte[Math.Max(ProbeAckMessage.Length, ReportMessage.MaxLength)];
        var bodyLength = datagram.Length - WireFormat.HeaderLength - WireFormat.TagLength;
        if (bodyLength > body.Length)
        {
            path.Rx.Malformed++;
            return;
        }

        body = body[..bodyLength];
        var aad = datagram[..WireFormat.HeaderLength];
        if (!cipher.Open(aad.Slice(WireFormat.NonceOffset, WireFormat.NonceLength), datagram.Slice(WireFormat.HeaderLength, bodyLength),
                datagram.Slice(WireFormat.HeaderLength + bodyLength, WireFormat.TagLength), body, aad))
        {
            path.Rx.AuthFailures++;
            return;
        }

        Authenticated(keys, window, header.Counter, epoch, path, source);
        switch (header.Type)
        {
            case MessageType.Probe when ProbeMessage.TryRead(body, out var probe):
                HandleProbe(path, header, probe, keys, source, now);
                break;
            case MessageType.ProbeAck when ProbeAckMessage.TryRead(body, out var ack):
                HandleProbeAck(path, ack, now);
                break;
            case MessageType.Report:
                HandleReport(body, path);
                break;
            default:
                path.Rx.Malformed++;
                break;
        }
    }

    private void HandleData(PathRuntime path, Span<byte> datagram, in WireHeader header, AeadCipher cipher, int epoch, SessionKeys keys, in RawSocketAddress source, long now)
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

        Authenticated(keys, _replay[header.Stream], header.Counter, epoch, path, source);
        var rx = path.Rx;
        rx.LastDataTicks = now;
        rx.SenderPathId = meta.PathId;
        TrackDelay(rx, meta.SendTimeMicros, now);
        _resequencer.OnPathData(path.Index, meta.PathSequence, meta.GlobalSequence, now);
        if (!_globals.Commit(meta.GlobalSequence))
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

    private void TrackDelay(PathRxCounters rx, uint sendMicros, long now)
    {
        var raw = (uint)MonotonicClock.Micros(now) - sendMicros;
        if (!_owdBaseSet)
        {
            _owdBaseSet = true;
            _owdBase = raw;
        }

        // Relative one-way delay: the clocks' offset is unknown but the same for every path, so differences between
        // paths (the delay spread) and over time (queueing) are exact.
        double relative = (int)(raw - _owdBase);
        if (!rx.OwdStarted)
        {
            rx.OwdStarted = true;
            rx.OwdMicros = relative;
            rx.JitterMicros = 0;
        }
        else
        {
            rx.JitterMicros += (Math.Abs(relative - rx.OwdMicros) - rx.JitterMicros) / 16;
            rx.OwdMicros += (relative - rx.OwdMicros) / 8;
        }

        if (relative < rx.MinOwdMicros)
        {
            rx.MinOwdMicros = relative;
        }

        if (!rx.AnySendTime || (int)(sendMicros - rx.LastSendMicros) > 0)
        {
            rx.LastSendMicros = sendMicros;
            rx.AnySendTime = true;
        }
    }

    private void Authenticated(SessionKeys keys, ReplayWindow window, ulong counter, int epoch, PathRuntime path, in RawSocketAddress source)
    {
        window.Commit(counter);
        keys.RxAuthenticated(epoch);
        if (!_confirmed)
        {
            _confirmed = true;
            lock (_engine.HandshakeLock)
            {
                if (ReferenceEquals(_engine.Session, keys))
                {
                    _engine.Handshake.OnSessionTraffic();
                }
            }
        }

        // The listening end follows the peer's address (NAT rebinding, a new address): only on packets that are
        // authentic and fresh, so neither a forgery nor a replay from elsewhere can redirect the path.
        if (path.Listens && !source.IsEmpty && (path.Peer is not { } peer || !peer.Address.Equals(source)))
        {
            if (path.Peer is not null)
            {
                path.Rx.AddressChanges++;
            }

            path.Peer = new PeerAddress(source);
        }
    }

    private void HandleHello(PathRuntime path, Span<byte> datagram, in WireHeader header, in RawSocketAddress source, long now)
    {
        Counters.Hellos++;
        if (header.SessionTag != 0 || datagram.Length != WireFormat.HeaderLength + HelloMessage.Length + WireFormat.TagLength)
        {
            path.Rx.Malformed++;
            return;
        }

        Span<byte> body = stackalloc byte[HelloMessage.Length];
        var aad = datagram[..WireFormat.HeaderLength];
        if (!_helloCipher.Open(aad.Slice(WireFormat.NonceOffset, WireFormat.NonceLength), datagram.Slice(WireFormat.HeaderLength, HelloMessage.Length),
                datagram.Slice(WireFormat.HeaderLength + HelloMessage.Length, WireFormat.TagLength), body, aad))
        {
            path.Rx.AuthFailures++;
            return;
        }

        if (!HelloMessage.TryRead(body, _engine.CipherId, out var random, out var echo))
        {
            path.Rx.Malformed++;
            return;
        }

        HelloOutcome outcome;
        (byte[] Random, byte[]? Echo) reply;
        lock (_engine.HandshakeLock)
        {
            outcome = _engine.Handshake.OnHello(random, echo, out reply);
            if (outcome == HelloOutcome.Established)
            {
                _engine.EstablishSession();
            }
        }

        // A hello proves only that the sender knows the key (it may be replayed); the path's address is taken from
        // it when none is known yet, or when it completed the handshake (it echoed our fresh random, so it is live).
        if (!source.IsEmpty && (path.Peer is null || (outcome == HelloOutcome.Established && path.Listens)))
        {
            path.Peer = new PeerAddress(source);
        }

        if (outcome == HelloOutcome.None)
        {
            return;
        }

        // Answer at most every 20 ms per path, so replayed hellos cannot make us a traffic source.
        if (outcome == HelloOutcome.Respond && now - _lastHelloReply[path.Index] < MonotonicClock.TicksFromSeconds(0.02))
        {
            return;
        }

        _lastHelloReply[path.Index] = now;
        Counters.HelloReplies++;
        _control.SendHello(_helloCipher, path, _engine.CipherId, reply.Random, reply.Echo, source);
    }

    private void HandleProbe(PathRuntime path, in WireHeader header, in ProbeMessage probe, SessionKeys keys, in RawSocketAddress source, long now)
    {
        Counters.Probes++;
        var rx = path.Rx;
        rx.SenderPathId = header.PathId;
        _resequencer.OnPathMarker(path.Index, probe.PathSequence, probe.NextGlobalSequence, now);
        rx.LostPackets = _resequencer.PathLost(path.Index);
        Span<byte> body = stackalloc byte[ProbeAckMessage.Length];
        var ack = new ProbeAckMessage
        {
            ProbeId = probe.ProbeId,
            EchoSendTimeMicros = probe.SendTimeMicros,
            AckDelayMicros = (uint)Math.Max(0, (long)(MonotonicClock.Micros(MonotonicClock.Now()) - MonotonicClock.Micros(now))),
            RxPackets = (ulong)rx.DataPackets,
            RxBytes = (ulong)rx.DataBytes,
            LostPackets = (ulong)rx.LostPackets,
            OwdMicros = (long)rx.OwdMicros,
            JitterMicros = (uint)rx.JitterMicros,
            HoldMicros = (uint)(HoldMilliseconds * 1000),
            MinOwdMicros = (long)Math.Min(rx.MinOwdMicros, _prevMinOwd[path.Index]),
        };
        ack.Write(body);
        _control.Send(keys, path, MessageType.ProbeAck, body, source);
    }

    private void HandleProbeAck(PathRuntime path, in ProbeAckMessage ack, long now)
    {
        Counters.ProbeAcks++;
        var nowMicros = MonotonicClock.Micros(now);
        var rttMicros = (double)(long)(nowMicros - ack.EchoSendTimeMicros) - ack.AckDelayMicros;
        var seconds = MonotonicClock.Seconds(now);
        lock (path.HealthLock)
        {
            path.Health.OnAnswer(ack.ProbeId, rttMicros / 1e6, seconds);
            path.Capacity.OnReport(seconds, ack.RxBytes, ack.OwdMicros, ack.MinOwdMicros, ack.JitterMicros);
            // Loss at a standing queue is the path being full (tail drops), not failing: health judges the rest.
            var queueing = CapacityEstimator.IsQueueing(ack.OwdMicros, ack.MinOwdMicros, ack.JitterMicros);
            path.Health.Queueing = queueing;
            if (path.Loss.OnReport(ack.RxPackets, ack.LostPackets, queueing))
            {
                path.Health.OnLoss(path.Loss.FailureRatio, seconds);
            }
        }
    }

    private void HandleReport(ReadOnlySpan<byte> body, PathRuntime via)
    {
        Span<(byte PathId, uint LastSendMicros)> entries = stackalloc (byte, uint)[ReportMessage.MaxEntries];
        if (!ReportMessage.TryRead(body, out var newest, out var threshold, entries, out var count))
        {
            via.Rx.Malformed++;
            return;
        }

        Counters.Reports++;
        foreach (var (pathId, lastDelivered) in entries[..count])
        {
            if (pathId >= _engine.Paths.Length)
            {
                continue;
            }

            // Believe the report only if we did send data on that path after the last packet the peer got from it,
            // early enough that it should have arrived before the newer packets the peer got on other paths.
            var tx = _engine.Paths[pathId].Tx;
            var latest = Volatile.Read(ref tx.LastDataSendMicros);
            if (!tx.AnyDataSent || (int)(latest - lastDelivered) <= 0)
            {
                continue;
            }

            var resume = Volatile.Read(ref tx.ResumeMicros);
            var firstAfter = (int)(resume - lastDelivered) > 0 ? resume : lastDelivered;
            if ((int)(newest - firstAfter) > (int)threshold)
            {
                _engine.Paths[pathId].SuspectSeen = true;
            }
        }
    }

    private void OnNewSession(SessionKeys keys)
    {
        _keys = keys;
        _confirmed = false;
        foreach (var window in _replay)
        {
            window.Reset();
        }

        _globals.Reset();
        _resequencer.Reset();
        _owdBaseSet = false;
        foreach (var path in _engine.Paths)
        {
            var rx = path.Rx;
            rx.AnySendTime = false;
            rx.OwdStarted = false;
            rx.MinOwdMicros = double.MaxValue;
        }

        Array.Fill(_prevMinOwd, double.MaxValue);

        // Health learned from the previous peer process does not carry over (a listener's path may point at its old
        // address): every path is Unknown until it answers in this session.
        var seconds = MonotonicClock.Seconds(MonotonicClock.Now());
        foreach (var path in _engine.Paths)
        {
            lock (path.HealthLock)
            {
                path.Loss.Reset();
                path.Health.OnNewSession(seconds);
            }
        }
    }

    private void UpdateHold(long now)
    {
        var paths = _engine.Paths;
        var maxOwd = double.MinValue;
        var minOwd = double.MaxValue;
        var jitter = 0.0;
        foreach (var path in paths)
        {
            var rx = path.Rx;
            rx.LostPackets = _resequencer.PathLost(path.Index);
            if (!rx.OwdStarted || now - rx.LastDataTicks > s_activeWindowTicks)
            {
                continue;
            }

            maxOwd = Math.Max(maxOwd, rx.OwdMicros);
            minOwd = Math.Min(minOwd, rx.OwdMicros);
            jitter = Math.Max(jitter, rx.JitterMicros);
        }

        // The hold covers the paths' delay spread plus jitter, and what the resequencer has actually seen gaps take to
        // fill (on a busy host packets queue in the kernel for milliseconds). That observation decays by half every
        // two seconds, so one burst does not keep the hold long.
        var spread = maxOwd >= minOwd ? maxOwd - minOwd : 0;
        var observedMicros = MonotonicClock.TicksToNanoseconds(_resequencer.ReorderDelayTicks) / 1000.0;
        _resequencer.DecayReorderDelay(0.99827);
        var holdMicros = Math.Clamp(Math.Max(spread + (4 * jitter) + 1000, (1.25 * observedMicros) + 500), 1000, _engine.MaxHoldMilliseconds * 1000.0);
        HoldMilliseconds = holdMicros / 1000;
        _resequencer.HoldTicks = MonotonicClock.TicksFromSeconds(holdMicros / 1e6);
        _resequencer.LiveWindowTicks = MonotonicClock.TicksFromSeconds(Math.Max(0.02, 2 * holdMicros / 1e6));

        if (now - _minOwdRotation > s_minOwdWindowTicks)
        {
            // Windowed minimum: the previous window's and the current one's, so a route change ages out.
            _minOwdRotation = now;
            for (var i = 0; i < paths.Length; i++)
            {
                _prevMinOwd[i] = paths[i].Rx.MinOwdMicros;
                paths[i].Rx.MinOwdMicros = double.MaxValue;
            }
        }
    }

    private void DetectStalls(long now)
    {
        var keys = _engine.Session;
        var paths = _engine.Paths;
        if (keys is null || paths.Length < 2 || now - _lastReport < s_reportIntervalTicks)
        {
            return;
        }

        uint newest = 0;
        var anyNewest = false;
        foreach (var path in paths)
        {
            if (path.Rx.AnySendTime && (!anyNewest || (int)(path.Rx.LastSendMicros - newest) > 0))
            {
                newest = path.Rx.LastSendMicros;
                anyNewest = true;
            }
        }

        // A path is silent when its latest delivery trails the newest delivery on any path by far more than it
        // normally does. The normal trail is learned per path (mean and deviation); load that delays every path alike
        // does not widen it the way one-way-delay jitter would.
        Span<(byte PathId, uint LastSendMicros)> entries = stackalloc (byte, uint)[ReportMessage.MaxEntries];
        var count = 0;
        var stalledLocal = 0u;
        var reportThreshold = 0.0;
        for (var i = 0; i < paths.Length && count < entries.Length; i++)
        {
            var rx = paths[i].Rx;
            if (!rx.AnySendTime || now - rx.LastDataTicks > s_activeWindowTicks)
            {
                continue;
            }

            var lag = (double)(int)(newest - rx.LastSendMicros);
            var threshold = Math.Max(MinStallMicros, rx.LagMicros + (8 * rx.LagDeviationMicros) + 5_000);
            if (lag > threshold && MonotonicClock.TicksToNanoseconds(now - rx.LastDataTicks) / 1000.0 > threshold - (rx.LagMicros + (4 * rx.LagDeviationMicros)))
            {
                entries[count++] = (rx.SenderPathId, rx.LastSendMicros);
                stalledLocal |= 1u << i;
                reportThreshold = Math.Max(reportThreshold, threshold);
                continue;
            }

            if (now - rx.LastDataTicks < s_lagLearnTicks)
            {
                rx.LagDeviationMicros += (Math.Abs(lag - rx.LagMicros) - rx.LagDeviationMicros) / 16;
                rx.LagMicros += (lag - rx.LagMicros) / 16;
            }
        }

        if (count == 0)
        {
            return;
        }

        _lastReport = now;
        Span<byte> body = stackalloc byte[ReportMessage.MaxLength];
        var length = ReportMessage.Write(body, newest, (uint)(reportThreshold / 2), entries[..count]);
        for (var i = 0; i < paths.Length; i++)
        {
            if ((stalledLocal & (1u << i)) == 0 && paths[i].Peer is { } peer)
            {
                Counters.ReportsSent++;
                _control.Send(keys, paths[i], MessageType.Report, body[..length], peer.Address);
            }
        }
    }

    private sealed class Ring : IDisposable
    {
        private readonly byte* _buffers;
        private readonly byte* _names;
        private readonly byte* _controls;
        private readonly IoVec* _iov;
        private readonly int _bufferLength;

        public Ring(int count, int bufferLength)
        {
            Count = count;
            _bufferLength = bufferLength;
            _buffers = (byte*)NativeMemory.AlignedAlloc((nuint)(count * bufferLength), 64);
            _names = (byte*)NativeMemory.AlignedAlloc((nuint)(count * NameLength), 64);
            _controls = (byte*)NativeMemory.AlignedAlloc((nuint)(count * ControlLength), 64);
            _iov = (IoVec*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(IoVec)), 64);
            Messages = (MultiMessageHeader*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(MultiMessageHeader)), 64);
            for (var i = 0; i < count; i++)
            {
                _iov[i].Base = _buffers + (i * bufferLength);
                _iov[i].Length = (nuint)bufferLength;
            }
        }

        public int Count { get; }

        public MultiMessageHeader* Messages { get; }

        public byte* Buffer(int i) => _buffers + (i * _bufferLength);

        public void Prepare()
        {
            for (var i = 0; i < Count; i++)
            {
                ref var m = ref Messages[i];
                m.Header.Name = _names + (i * NameLength);
                m.Header.NameLength = NameLength;
                m.Header.Iov = &_iov[i];
                m.Header.IovLength = 1;
                m.Header.Control = _controls + (i * ControlLength);
                m.Header.ControlLength = ControlLength;
                m.Header.Flags = 0;
                m.Length = 0;
            }
        }

        public void Dispose()
        {
            NativeMemory.AlignedFree(_buffers);
            NativeMemory.AlignedFree(_names);
            NativeMemory.AlignedFree(_controls);
            NativeMemory.AlignedFree(_iov);
            NativeMemory.AlignedFree(Messages);
        }
    }
}
