using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Classes;
using Fleet.Striper.Interop;
using Fleet.Striper.Paths;
using Fleet.Striper.Reordering;
using Fleet.Striper.Tun;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>Counters of the receiving side of the link.</summary>
internal sealed class ReceiveCounters
{
    public long Hellos;
    public long HelloReplies;
    public long ReflectedHellos;
    public long Probes;
    public long ProbeAcks;
    public long Reports;
    public long ReportsSent;
    public long BadEpoch;

    /// <summary>Speed-test load datagrams that authenticated and were counted, and the answers sent (docs/striper-protocol.md, "Speed test").</summary>
    public long SpeedTestLoad;

    /// <inheritdoc cref="SpeedTestLoad"/>
    public long SpeedTestAcks;
    public long Truncated;

    /// <summary>Bytes the receiving thread allocated on the managed heap (should stay flat while traffic flows).</summary>
    public long AllocatedBytes;
}

/// <summary>
/// The receiving thread: drains every path socket with recvmmsg (trains of datagrams when UDP GRO is on) and hands
/// each datagram to the <see cref="DatagramDispatcher"/>; releases what the resequencer has in order to the TUN
/// writer, which coalesces it into large writes; every few milliseconds adapts the hold time and, with every socket
/// read empty, looks for silent paths. Sleeps in poll when there is nothing to read.
/// </summary>
internal sealed unsafe class ReceiveLoop : IDisposable
{
    public const uint Stream = 2;
    private const int GroBufferLength = 65536;
    private const int GroMessages = 8;
    private const int PlainMessages = 64;
    private const int ReorderWindow = 4096;

    /// <summary>An aggregator's site's first reorder ring per flow class (it doubles by need up to <see cref="ReorderWindow"/>).</summary>
    private const int HostedReorderWindow = 16;
    private static readonly long s_housekeepingTicks = MonotonicClock.TicksFromSeconds(0.005);

    private readonly StriperEngine _engine;
    private ReceiveRing[] _rings = [];
    private readonly PacketSlots _slots;
    private readonly TunWriter _writer;
    private readonly Resequencer _resequencer;
    private readonly ControlSender _control = new(Stream);
    private readonly DelayTracker _delays;
    private readonly HoldTimeController _hold;
    private readonly SilenceReports _silence;
    private readonly HelloResponder _hellos;
    private readonly DatagramDispatcher _dispatcher;
    private readonly DataReceiver _data;
    private long _nextHousekeeping;

    public ReceiveLoop(StriperEngine engine)
    {
        _engine = engine;
        var paths = engine.Paths;
        // Enough slots for a full reorder window plus what the writer holds; sized from the MTU, with room in front
        // of each packet for the metadata it is decrypted with.
        var slotSize = (engine.TunMtu + WireFormat.DataMetaLength + 63) & ~63;
        var slotCount = Math.Clamp((32 << 20) / slotSize, 4096, 16384);

        // A point-to-point link's end is sized for 10 Gbit/s from the start. An aggregator serves hundreds of sites,
        // most of them idle or slow at any time: a site's slots and reorder ring start empty and small and grow by
        // need up to the same sizes (issue 17; docs/aggregator.md, "Sizing").
        var hosted = engine.Hosting is not null;
        _slots = new PacketSlots(slotCount, slotSize, WireFormat.DataMetaLength, hosted ? 0 : slotCount);
        _writer = new TunWriter(engine.Tun, _slots, engine.Tun.Features.VnetHeader);
        IReleaseSink released = _writer;
        if (engine.Hosting is { } hosting)
        {
            // An aggregator's site: what the site sends from a source it does not own never reaches the device.
            Sources = new SourceGate(_writer, _slots, hosting.Sources);
            released = Sources;
        }

        _resequencer = new Resequencer(released, _slots, ReorderWindow, paths.Length, hosted ? HostedReorderWindow : ReorderWindow)
        {
            MinPathGapTicks = MonotonicClock.TicksFromSeconds(0.001),
        };
        var session = new ReceiveSession(engine, slotCount);
        _delays = new DelayTracker(paths);
        _hold = new HoldTimeController(engine, _resequencer);
        _silence = new SilenceReports(engine, _control, Counters);
        _hellos = new HelloResponder(engine, _control, Counters);
        _data = new DataReceiver(_slots, _resequencer, session, _delays, Classes);
        _dispatcher = new DatagramDispatcher(engine, session, _resequencer, _delays, _data, _hellos,
            new ProbeResponder(_control, _resequencer, _delays, _hold, Counters), _silence,
            new SpeedTestResponder(_control, Counters, paths.Length, engine.MaxDatagram), Counters);
        UpdateHold(MonotonicClock.Now());
    }

    public ReceiveCounters Counters { get; } = new();

    /// <summary>The check of inner sources of an aggregator's site (null on a point-to-point link).</summary>
    public SourceGate? Sources { get; }

    /// <summary>Datagrams of one size a receive batch of <paramref name="socket"/> holds, and the buffer's length.</summary>
    public static (int Messages, int BufferLength) RingShape(UdpPathSocket socket, int maxDatagram) =>
        socket.GroEnabled ? (GroMessages, GroBufferLength) : (PlainMessages, maxDatagram + 64);

    /// <summary>Per traffic class id of the peer (0 its default class, 1..32 its classes in order).</summary>
    public ClassRxCounters[] Classes { get; } = CreateClassCounters();

    /// <summary>Recovered packets that were not valid (see <see cref="DataReceiver.RecoveredMalformed"/>).</summary>
    public long RecoveredMalformed => _data.RecoveredMalformed;

    public Resequencer Resequencer => _resequencer;

    public TunWriterCounters WriterCounters => _writer.Counters;

    /// <summary>Current hold time in milliseconds.</summary>
    public double HoldMilliseconds => _hold.HoldMilliseconds;

    public int SlotsInUse => _slots.Count - _slots.Available;

    /// <summary>Packet slots allocated so far (in use or free).</summary>
    public int SlotsAllocated => _slots.Count;

    /// <summary>Packet slots it may grow to.</summary>
    public int SlotsMost => _slots.MaxCount;

    /// <summary>Whether the packet slots' native memory is reserved.</summary>
    public bool SlotMemoryReserved => _slots.Reserved;

    /// <summary>Receive rings of its own (a point-to-point engine's, made when its receiving thread starts).</summary>
    public int Rings => _rings.Length;

    /// <summary>The FEC decoder's symbol buffers made so far.</summary>
    public int FecSymbolBuffers => _data.Fec.SymbolBuffers;

    public void Run()
    {
        var paths = _engine.Paths;
        if (_rings.Length == 0)
        {
            _rings = new ReceiveRing[paths.Length];
            for (var i = 0; i < paths.Length; i++)
            {
                var (messages, length) = RingShape(paths[i].Socket, _engine.MaxDatagram);
                _rings[i] = new ReceiveRing(messages, length);
            }
        }

        var poll = stackalloc PollFd[paths.Length + 1];
        for (var i = 0; i < paths.Length; i++)
        {
            poll[i].Fd = paths[i].Socket.Fd.Number;
            poll[i].Events = Native.POLLIN;
        }

        poll[paths.Length].Fd = _engine.WakeFd!.Number;
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
            Service(now, caughtUp);
            if (!any)
            {
                var deadline = NextDeadline();
                var wait = deadline == long.MaxValue ? -1 : Math.Max(0, MonotonicClock.TicksToNanoseconds(deadline - now));
                SystemCalls.Poll(poll, paths.Length + 1, wait);
            }
        }
    }

    /// <summary>
    /// Releases what is due to the device and, every few milliseconds, adapts the hold time, expires FEC blocks and
    /// (with every socket read empty, <paramref name="caughtUp"/>) looks for silent paths.
    /// </summary>
    public void Service(long now, bool caughtUp)
    {
        _resequencer.ReleaseDue(now, caughtUp);
        _writer.Flush();
        if (now >= _nextHousekeeping)
        {
            _nextHousekeeping = now + s_housekeepingTicks;
            Volatile.Write(ref Counters.AllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
            UpdateHold(now);
            _data.Fec.Expire(now);
            if (caughtUp)
            {
                // Only judge silence with every socket read empty: a backlog in one socket looks like a stall.
                _silence.Detect(now);
            }
        }
    }

    /// <summary>When <see cref="Service"/> has work next (monotonic ticks), at the latest.</summary>
    public long NextDeadline() => Math.Min(_resequencer.NextDeadline(), _nextHousekeeping + (20 * s_housekeepingTicks));

    /// <summary>One datagram that came in on <paramref name="path"/> (a host's receive worker hands its sites' datagrams here).</summary>
    public void OnDatagram(PathRuntime path, Span<byte> datagram, in RawSocketAddress source, long now)
    {
        path.Rx.Packets++;
        path.Rx.Bytes += datagram.Length;
        _dispatcher.OnDatagram(path, datagram, source, now);
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
        _hellos.Dispose();
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
            var segment = ReceiveRing.SegmentSize(ref message.Header, length);
            var data = ring.Buffer(i);
            for (var offset = 0; offset < length; offset += segment)
            {
                OnDatagram(path, new Span<byte>(data + offset, Math.Min(segment, length - offset)), source, now);
            }
        }

        return n;
    }

    private static ClassRxCounters[] CreateClassCounters()
    {
        var counters = new ClassRxCounters[LinkSpecValidator.MaxClasses + 1];
        for (var i = 0; i < counters.Length; i++)
        {
            counters[i] = new ClassRxCounters();
        }

        return counters;
    }

    private void UpdateHold(long now)
    {
        _hold.Update(now);
        _data.Fec.DueDelayTicks = _resequencer.HoldTicks;
        _delays.Rotate(now);
    }
}
