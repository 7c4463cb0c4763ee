using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fleet.Striper.Classes;
using Fleet.Striper.Interop;
using Fleet.Striper.Packets;
using Fleet.Striper.Tun;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine;

/// <summary>
/// The sending thread: reads packets from the TUN device (TCP super-packets of up to 64 KiB when TSO is on), finds
/// each packet's traffic class, cuts super-packets into segments in place, asks the class for each segment's paths
/// (its scheduler, pin, copies or FEC block, within what the tiers allow), and hands each datagram to
/// <see cref="PathBatches"/>, which seals it into its path's batch. FEC classes add their blocks' parity when a block
/// fills or its delay bound comes. Nothing is allocated per packet.
/// Closing FEC blocks (their parity) is <see cref="ParitySender"/>'s.
/// </summary>
internal sealed unsafe class TransmitLoop : IDisposable
{
    public const uint Stream = 0;
    private const int ReadBufferLength = 128 * 1024;

    /// <summary>Room in front of what is read from the TUN device for the first segment's metadata.</summary>
    private const int ReadHeadroom = WireFormat.DataMetaLength;
    private const int ReadsPerFlush = 16;

    private readonly StriperEngine _engine;
    private byte* _readBuffer;
    private readonly PathBatches _batches;
    private readonly ParitySender _parity;
    private readonly uint[] _classSequence = new uint[FlowClassifier.ClassCount];
    private readonly byte[] _template = new byte[TsoSegmenter.MaxHeaderLength];
    private readonly OverflowGate _overflow = new();
    private ClassTable? _table;
    private long _sessionId;
    private ulong _global;
    private double _nowSeconds;
    private long _nowTicks;

    public TransmitLoop(StriperEngine engine)
    {
        _engine = engine;
        _batches = new PathBatches(engine);
        _parity = new ParitySender(engine, _batches);
    }

    public TransmitCounters Counters { get; } = new();

    /// <summary>Whether the buffer of its own TUN reads is made (a point-to-point engine's, when its sending thread starts).</summary>
    public bool HasReadBuffer => _readBuffer is not null;

    /// <summary>Overflow members' use: packets diverted to them because the primaries were saturated.</summary>
    public OverflowGate Overflow => _overflow;

    public void Run()
    {
        if (_readBuffer is null)
        {
            _readBuffer = (byte*)NativeMemory.AlignedAlloc(ReadBufferLength, 64);
        }

        var tun = _engine.Tun;
        var vnet = tun.Features.VnetHeader;
        var poll = stackalloc PollFd[2];
        poll[0].Fd = tun.Queue.Number;
        poll[0].Events = Native.POLLIN;
        poll[1].Fd = _engine.WakeFd!.Number;
        poll[1].Events = Native.POLLIN;
        var reads = 0;
        while (!_engine.Stopping)
        {
            var n = tun.Read(_readBuffer + ReadHeadroom, ReadBufferLength - ReadHeadroom, out var error);
            if (n < 0)
            {
                FlushDue();
                reads = 0;
                if (error == Errno.EAGAIN)
                {
                    // Sleep until a packet comes, or until an FEC block's delay bound: its parity must go out even when
                    // the class falls silent.
                    var due = NextBlockDue();
                    var wait = due == long.MaxValue ? -1 : Math.Max(0, MonotonicClock.TicksToNanoseconds(due - MonotonicClock.Now()));
                    SystemCalls.Poll(poll, 2, wait);
                }
                else if (error is not Errno.EINTR)
                {
                    // EBADF during shutdown, or a device that vanished: back off rather than spin.
                    Thread.Sleep(10);
                }

                continue;
            }

            Send(new Span<byte>(_readBuffer + ReadHeadroom, n), vnet);
            if (++reads >= ReadsPerFlush)
            {
                FlushDue();
                reads = 0;
            }
        }
    }

    /// <summary>
    /// Sends what was read from the TUN device (with its virtio header when <paramref name="vnet"/>). The
    /// <see cref="WireFormat.DataMetaLength"/> bytes in front of <paramref name="read"/> must be free: the first
    /// segment's metadata is written there. A host's transmit worker hands each of its sites' packets here.
    /// </summary>
    public void Send(Span<byte> read, bool vnet)
    {
        Counters.TunPackets++;
        Counters.TunBytes += read.Length;
        Process(read, vnet);
    }

    /// <summary>Sends the parity of FEC blocks whose delay bound came, then every batch.</summary>
    public void FlushDue()
    {
        CloseDueBlocks();
        FlushAll();
    }

    public void Dispose()
    {
        if (_readBuffer is not null)
        {
            NativeMemory.AlignedFree(_readBuffer);
        }

        _batches.Dispose();
    }

    private void Process(Span<byte> read, bool vnet)
    {
        if (!PrepareSession())
        {
            Counters.NoSession++;
            return;
        }

        _nowTicks = MonotonicClock.Now();
        _nowSeconds = MonotonicClock.Seconds(_nowTicks);
        _batches.NowTicks = _nowTicks;
        _batches.SendMicros = (uint)MonotonicClock.Micros(_nowTicks);
        var table = _engine.Classes;
        if (!ReferenceEquals(table, _table))
        {
            // A policy change: the old classes' open blocks still get their parity.
            _parity.CloseAll(_table, ref _global);
            _table = table;
        }

        if (!vnet)
        {
            SendPacket(read, FlowClassifier.Classify(read), 0, table.Classify(read));
            return;
        }

        if (read.Length <= VirtioNetHeader.Length)
        {
            Counters.BadOffload++;
            return;
        }

        var header = VirtioNetHeader.Read(read);
        var packet = read[VirtioNetHeader.Length..];
        if (header.GsoType == VirtioNetHeader.GsoNone)
        {
            if ((header.Flags & VirtioNetHeader.FlagNeedsChecksum) != 0
                && !IpHeaders.CompletePartialChecksum(packet, header.CsumStart, header.CsumOffset))
            {
                Counters.BadOffload++;
                return;
            }

            SendPacket(packet, FlowClassifier.Classify(packet), 0, table.Classify(packet));
            return;
        }

        if (!TsoSegmenter.TryCreate(packet, header, _template, out var segmenter))
        {
            Counters.BadOffload++;
            return;
        }

        // Every segment of a super-packet has the headers of the first: one flow, one class.
        var flowClass = FlowClassifier.Classify(packet);
        var trafficClass = table.Classify(packet);
        while (segmenter.MoveNext(out var segment))
        {
            SendPacket(segment, flowClass, WireFormat.DataFlagChecksumPartial, trafficClass);
        }
    }

    private bool PrepareSession()
    {
        var keys = _engine.Session;
        if (keys is null)
        {
            return false;
        }

        if (keys.Id != _sessionId)
        {
            // A new session numbers everything from the start; the peer's receive state was reset with it.
            FlushAll();
            _sessionId = keys.Id;
            _global = 0;
            Array.Clear(_classSequence);
            _batches.StartSession(keys);
            foreach (var path in _engine.Paths)
            {
                Volatile.Write(ref path.LastGlobalSent, 0);
                Volatile.Write(ref path.PathSequenceSent, 0);
            }

            Volatile.Write(ref _engine.FlushedNextGlobal, 1);
            ParitySender.Abandon(_table);
        }

        _batches.UseKeys(keys, Stream);
        return true;
    }

    /// <summary>
    /// Sends one IP packet of <paramref name="trafficClass"/>. The <see cref="WireFormat.DataMetaLength"/> bytes in
    /// front of it are free (read headroom, or the tail of the previous segment, already sealed): the metadata goes
    /// there, so metadata and packet are one plaintext for the AEAD.
    /// </summary>
    private void SendPacket(Span<byte> packet, int flowClass, byte flags, TrafficClassRuntime trafficClass)
    {
        if (packet.Length > _engine.TunMtu)
        {
            Counters.TooBig++;
            return;
        }

        var plaintext = MemoryMarshal.CreateSpan(ref Unsafe.Subtract(ref MemoryMarshal.GetReference(packet), WireFormat.DataMetaLength), packet.Length + WireFormat.DataMetaLength);
        var datagramLength = packet.Length + WireFormat.DataOverhead;
        var paths = _engine.PathSet;
        var eligible = Eligible(trafficClass, datagramLength);
        var fields = new DataFields { Flags = flags, FlowClass = (byte)flowClass, TrafficClass = trafficClass.Id };
        var fec = trafficClass.Fec;
        uint mask;
        if (fec is not null && packet.Length <= fec.MaxPacketLength)
        {
            var path = fec.PlaceData(paths, eligible, _nowSeconds, _nowTicks, ref fields);
            mask = path < 0 ? 0 : 1u << path;
        }
        else
        {
            if (fec is not null)
            {
                trafficClass.Counters.FecUnprotected++;
            }

            mask = trafficClass.Select(paths, eligible, datagramLength, _nowSeconds, _engine.Scheduler);
        }

        if (mask == 0)
        {
            Counters.NoPath++;
            trafficClass.Counters.NoPath++;
            return;
        }

        fields.Global = ++_global;
        fields.ClassSequence = _classSequence[flowClass]++;
        Counters.Segments++;
        var counters = trafficClass.Counters;
        counters.Packets++;
        counters.Bytes += packet.Length;
        var copies = BitOperations.PopCount(mask);
        counters.DuplicatesSent += copies - 1;
        counters.DuplicateBytes += (copies - 1) * packet.Length;
        while (mask != 0)
        {
            var p = BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            _batches.Append(p, plaintext, fields);
        }

        // The symbol is read before the next segment's headers overwrite this packet's tail.
        if (fields.FecData != 0 && fec!.Accumulate(packet, fields))
        {
            _parity.Close(trafficClass, ref _global);
        }
    }

    /// <summary>
    /// The paths a packet of <paramref name="trafficClass"/> may take: the usable paths (tiers and health; for a
    /// duplicate or FEC class the live ones, degraded included), narrowed to the class's members; the overflow members
    /// instead when the primaries are saturated and the class may overflow.
    /// </summary>
    private uint Eligible(TrafficClassRuntime trafficClass, int bytes)
    {
        var paths = _engine.PathSet;
        var eligible = trafficClass.Eligible(paths);
        var overflow = paths.OverflowMask;
        if (overflow == 0)
        {
            return eligible;
        }

        var rate = paths.PrimaryRateBitsPerSecond;
        if (trafficClass.Protected)
        {
            // Real-time classes keep the primaries; their bytes count, so bulk traffic overflows sooner.
            _overflow.Charge(rate, bytes, _nowSeconds);
            return eligible;
        }

        var classOverflow = trafficClass.Members == 0 ? overflow : overflow & trafficClass.Members;
        if (classOverflow == 0 || _overflow.TryTake(rate, bytes, _nowSeconds))
        {
            return eligible;
        }

        _overflow.DivertedPackets++;
        _overflow.DivertedBytes += bytes;
        Volatile.Write(ref _overflow.LastDivertSeconds, _nowSeconds);
        return classOverflow;
    }

    private void CloseDueBlocks()
    {
        if (_table is not null && PrepareSession())
        {
            _parity.CloseDue(_table, ref _global);
        }
    }

    /// <summary>When an open FEC block's parity is due (monotonic ticks; long.MaxValue when none is open).</summary>
    public long NextBlockDue() => ParitySender.NextDue(_table);

    private void FlushAll()
    {
        _batches.FlushAll();

        // Every data packet numbered so far is now with the kernel: probes may promise the receiver as much.
        Volatile.Write(ref _engine.FlushedNextGlobal, (long)_global + 1);
        Volatile.Write(ref Counters.AllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
    }
}
