using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fleet.Striper.Crypto;
using Fleet.Striper.Interop;
using Fleet.Striper.Packets;
using Fleet.Striper.Paths;
using Fleet.Striper.Tun;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine;

/// <summary>Counters of the sending side of the link.</summary>
internal sealed class TransmitCounters
{
    public long TunPackets;
    public long TunBytes;
    public long Segments;
    public long NoSession;
    public long NoPath;
    public long TooBig;
    public long BadOffload;

    /// <summary>Bytes the sending thread allocated on the managed heap (should stay flat while traffic flows).</summary>
    public long AllocatedBytes;
}

/// <summary>
/// The sending thread: reads packets from the TUN device (TCP super-packets of up to 64 KiB when TSO is on), cuts
/// super-packets into segments in place, asks the scheduler for each segment's path, seals each segment straight
/// into that path's batch buffer (the AEAD's copy is the only copy) and sends each batch with one UDP GSO sendmsg.
/// Nothing is allocated per packet.
/// </summary>
internal sealed unsafe class TransmitLoop : IDisposable
{
    public const uint Stream = 0;
    private const int ReadBufferLength = 128 * 1024;

    /// <summary>Room in front of what is read from the TUN device for the first segment's metadata.</summary>
    private const int ReadHeadroom = WireFormat.DataMetaLength;
    private const int ReadsPerFlush = 16;

    /// <summary>A path idle this long and then used again "resumed" (reports of silence before that are stale).</summary>
    private const int IdleResumeMicros = 10_000;

    private readonly StriperEngine _engine;
    private readonly byte* _readBuffer;
    private readonly Batch[] _batches;
    private readonly MultiMessageHeader* _mmsg;
    private readonly IoVec* _iov;
    private readonly uint[] _classSequence = new uint[FlowClassifier.ClassCount];
    private readonly uint[] _pathSequence;
    private readonly byte[] _template = new byte[TsoSegmenter.MaxHeaderLength];
    private long _sessionId;
    private ulong _global;
    private ulong _counter;
    private SessionKeys? _keys;
    private AeadCipher? _cipher;
    private byte _epoch;
    private uint _tag;
    private uint _sendMicros;
    private double _nowSeconds;
    private long _nowTicks;

    public TransmitLoop(StriperEngine engine)
    {
        _engine = engine;
        _readBuffer = (byte*)NativeMemory.AlignedAlloc(ReadBufferLength, 64);
        var paths = engine.Paths.Length;
        _batches = new Batch[paths];
        _pathSequence = new uint[paths];
        for (var i = 0; i < paths; i++)
        {
            _batches[i] = new Batch(UdpPathSocket.MaxGsoBytes + engine.MaxDatagram);
        }

        _mmsg = (MultiMessageHeader*)NativeMemory.AlignedAlloc((nuint)(sizeof(MultiMessageHeader) * UdpPathSocket.MaxGsoSegments), 64);
        _iov = (IoVec*)NativeMemory.AlignedAlloc((nuint)(sizeof(IoVec) * UdpPathSocket.MaxGsoSegments), 64);
    }

    public TransmitCounters Counters { get; } = new();

    public void Run()
    {
        var tun = _engine.Tun;
        var vnet = tun.Features.VnetHeader;
        var poll = stackalloc PollFd[2];
        poll[0].Fd = tun.Queue.Number;
        poll[0].Events = Native.POLLIN;
        poll[1].Fd = _engine.WakeFd.Number;
        poll[1].Events = Native.POLLIN;
        var reads = 0;
        while (!_engine.Stopping)
        {
            var n = tun.Read(_readBuffer + ReadHeadroom, ReadBufferLength - ReadHeadroom, out var error);
            if (n < 0)
            {
                FlushAll();
                reads = 0;
                if (error == Errno.EAGAIN)
                {
                    SystemCalls.Poll(poll, 2, -1);
                }
                else if (error is not Errno.EINTR)
                {
                    // EBADF during shutdown, or a device that vanished: back off rather than spin.
                    Thread.Sleep(10);
                }

                continue;
            }

            Counters.TunPackets++;
            Counters.TunBytes += n;
            Process(new Span<byte>(_readBuffer + ReadHeadroom, n), vnet);
            if (++reads >= ReadsPerFlush)
            {
                FlushAll();
                reads = 0;
            }
        }
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_readBuffer);
        NativeMemory.AlignedFree(_mmsg);
        NativeMemory.AlignedFree(_iov);
        foreach (var batch in _batches)
        {
            batch.Dispose();
        }
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
        _sendMicros = (uint)MonotonicClock.Micros(_nowTicks);
        if (!vnet)
        {
            SendPacket(read, FlowClassifier.Classify(read), 0);
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

            SendPacket(packet, FlowClassifier.Classify(packet), 0);
            return;
        }

        if (!TsoSegmenter.TryCreate(packet, header, _template, out var segmenter))
        {
            Counters.BadOffload++;
            return;
        }

        var flowClass = FlowClassifier.Classify(packet);
        while (segmenter.MoveNext(out var segment))
        {
            SendPacket(segment, flowClass, WireFormat.DataFlagChecksumPartial);
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
            _keys = keys;
            _global = 0;
            _counter = 0;
            Array.Clear(_classSequence);
            Array.Clear(_pathSequence);
            foreach (var path in _engine.Paths)
            {
                Volatile.Write(ref path.LastGlobalSent, 0);
                Volatile.Write(ref path.PathSequenceSent, 0);
            }

            Volatile.Write(ref _engine.FlushedNextGlobal, 1);
            _tag = keys.TxTag;
        }

        var tx = keys.CurrentTx;
        _cipher = tx.Ciphers[Stream];
        _epoch = (byte)tx.Epoch;
        return true;
    }

    /// <summary>
    /// Sends one IP packet. The <see cref="WireFormat.DataMetaLength"/> bytes in front of it are free (read headroom,
    /// or the tail of the previous segment, already sealed): the metadata goes there, so metadata and packet are one
    /// plaintext for the AEAD.
    /// </summary>
    private void SendPacket(Span<byte> packet, int flowClass, byte flags)
    {
        if (packet.Length > _engine.TunMtu)
        {
            Counters.TooBig++;
            return;
        }

        var plaintext = MemoryMarshal.CreateSpan(ref Unsafe.Subtract(ref MemoryMarshal.GetReference(packet), WireFormat.DataMetaLength), packet.Length + WireFormat.DataMetaLength);

        var datagramLength = packet.Length + WireFormat.DataOverhead;
        var mask = _engine.Scheduler.Select(_engine.PathSet, datagramLength, _nowSeconds);
        if (mask == 0)
        {
            Counters.NoPath++;
            return;
        }

        var global = ++_global;
        var classSequence = _classSequence[flowClass]++;
        Counters.Segments++;
        while (mask != 0)
        {
            var p = BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            if (p < _batches.Length)
            {
                Append(p, plaintext, datagramLength, global, classSequence, flowClass, flags);
            }
        }
    }

    private void Append(int p, Span<byte> plaintext, int datagramLength, ulong global, uint classSequence, int flowClass, byte flags)
    {
        var batch = _batches[p];
        if (batch.Count > 0 && (datagramLength > batch.SegmentSize || batch.Ended
            || batch.Length + datagramLength > UdpPathSocket.MaxGsoBytes || batch.Count == UdpPathSocket.MaxGsoSegments))
        {
            Flush(p);
        }

        if (batch.Count == 0)
        {
            batch.SegmentSize = datagramLength;
            batch.FirstSendMicros = _sendMicros;
        }

        batch.LastSendMicros = _sendMicros;

        // Per copy (redundant sends one per path): its own path id, path sequence and nonce.
        var datagram = new Span<byte>(batch.Buffer + batch.Length, datagramLength);
        WireFormat.WriteHeader(datagram, MessageType.Data, 0, _epoch, (byte)p, _tag, Stream, ++_counter);
        DataMeta.Write(plaintext, flags, (byte)p, (byte)flowClass, classSequence, ++_pathSequence[p], _sendMicros, global);
        _cipher!.Seal(
            datagram.Slice(WireFormat.NonceOffset, WireFormat.NonceLength),
            plaintext,
            datagram.Slice(WireFormat.HeaderLength, plaintext.Length),
            datagram.Slice(WireFormat.HeaderLength + plaintext.Length, WireFormat.TagLength),
            default);
        batch.Length += datagramLength;
        batch.Count++;
        batch.Ended = datagramLength < batch.SegmentSize;
        batch.LastGlobal = global;
        batch.DataBytes += plaintext.Length - WireFormat.DataMetaLength;
    }

    private void FlushAll()
    {
        for (var p = 0; p < _batches.Length; p++)
        {
            if (_batches[p].Count > 0)
            {
                Flush(p);
            }
        }

        // Every data packet numbered so far is now with the kernel: probes may promise the receiver as much.
        Volatile.Write(ref _engine.FlushedNextGlobal, (long)_global + 1);
        Volatile.Write(ref Counters.AllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
    }

    private void Flush(int p)
    {
        var batch = _batches[p];
        var path = _engine.Paths[p];
        var peer = path.Peer;
        var tx = path.Tx;
        SendResult result;
        if (peer is null)
        {
            result = SendResult.NoPeer;
        }
        else
        {
            result = path.Socket.SendTrain(batch.Buffer, batch.Length, batch.SegmentSize, batch.Count, peer.Address, _mmsg, _iov);
        }

        switch (result)
        {
            case SendResult.Sent:
                Interlocked.Add(ref tx.Packets, batch.Count);
                Interlocked.Add(ref tx.Bytes, batch.Length);
                tx.DataPackets += batch.Count;
                tx.DataBytes += batch.DataBytes;
                tx.LastDataTicks = _nowTicks;
                // The send times the packets carry (stamped when appended), not the time of this flush: a batch may
                // wait for several TUN reads, and the receiver compares silence reports against what it got stamped.
                if (!tx.AnyDataSent || (int)(batch.FirstSendMicros - tx.LastDataSendMicros) > IdleResumeMicros)
                {
                    Volatile.Write(ref tx.ResumeMicros, batch.FirstSendMicros);
                    tx.AnyDataSent = true;
                }

                Volatile.Write(ref tx.LastDataSendMicros, batch.LastSendMicros);
                break;
            case SendResult.BufferFull:
                tx.DropBufferFull += batch.Count;
                break;
            case SendResult.LinkDown:
                tx.DropLinkDown += batch.Count;
                path.LinkDownSeen = true;
                break;
            case SendResult.TooBig:
                tx.DropTooBig += batch.Count;
                break;
            case SendResult.NoPeer:
                tx.DropNoPeer += batch.Count;
                break;
            default:
                tx.DropFailed += batch.Count;
                break;
        }

        Volatile.Write(ref path.LastGlobalSent, (long)batch.LastGlobal);
        Volatile.Write(ref path.PathSequenceSent, _pathSequence[p]);
        batch.Reset();
    }

    private sealed class Batch : IDisposable
    {
        public Batch(int capacity)
        {
            Buffer = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, 64);
        }

        public byte* Buffer { get; }

        public int Length;
        public int Count;
        public int SegmentSize;
        public bool Ended;
        public ulong LastGlobal;
        public long DataBytes;

        /// <summary>Send time (wire clock, µs) stamped on the batch's first and last datagram.</summary>
        public uint FirstSendMicros;

        /// <inheritdoc cref="FirstSendMicros"/>
        public uint LastSendMicros;

        public void Reset()
        {
            Length = 0;
            Count = 0;
            Ended = false;
            DataBytes = 0;
        }

        public void Dispose() => NativeMemory.AlignedFree(Buffer);
    }
}
