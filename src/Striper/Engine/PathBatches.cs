using System.Runtime.InteropServices;
using Fleet.Striper.Crypto;
using Fleet.Striper.Interop;
using Fleet.Striper.Paths;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine;

/// <summary>
/// The sending thread's datagrams on their way out: one batch buffer per path, into which each data datagram is sealed
/// straight from its plaintext (the AEAD's copy is the only copy), and one UDP GSO sendmsg per batch. Numbers every
/// datagram (stream counter, path sequence) and counts what each send did. Nothing is allocated per datagram.
/// </summary>
internal sealed unsafe class PathBatches : IDisposable
{
    /// <summary>A path idle this long and then used again "resumed" (reports of silence before that are stale).</summary>
    private const int IdleResumeMicros = 10_000;

    private readonly StriperEngine _engine;
    private readonly Batch[] _batches;
    private readonly MultiMessageHeader* _mmsg;
    private readonly IoVec* _iov;
    private readonly uint[] _pathSequence;
    private ulong _counter;
    private AeadCipher? _cipher;
    private byte _epoch;
    private uint _tag;

    public PathBatches(StriperEngine engine)
    {
        _engine = engine;
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

    /// <summary>Send time (wire clock, µs) stamped on what is appended now, and the clock's ticks.</summary>
    public uint SendMicros { get; set; }

    /// <inheritdoc cref="SendMicros"/>
    public long NowTicks { get; set; }

    /// <summary>A new session numbers everything from the start (the peer's receive state was reset with it).</summary>
    public void StartSession(SessionKeys keys)
    {
        _counter = 0;
        _tag = keys.TxTag;
        Array.Clear(_pathSequence);
    }

    /// <summary>The key epoch in force for what is appended next.</summary>
    public void UseKeys(SessionKeys keys, uint stream)
    {
        var tx = keys.CurrentTx;
        _cipher = tx.Ciphers[stream];
        _epoch = (byte)tx.Epoch;
    }

    /// <summary>
    /// Seals one data datagram onto path <paramref name="p"/>'s batch. <paramref name="plaintext"/> is the metadata
    /// room followed by the payload; the metadata is written there, with this copy's path id and path sequence.
    /// </summary>
    public void Append(int p, Span<byte> plaintext, in DataFields fields)
    {
        var datagramLength = plaintext.Length + WireFormat.HeaderLength + WireFormat.TagLength;
        var batch = _batches[p];
        if (batch.Count > 0 && (datagramLength > batch.SegmentSize || batch.Ended
            || batch.Length + datagramLength > UdpPathSocket.MaxGsoBytes || batch.Count == UdpPathSocket.MaxGsoSegments))
        {
            Flush(p);
        }

        if (batch.Count == 0)
        {
            batch.Reserve();
            batch.SegmentSize = datagramLength;
            batch.FirstSendMicros = SendMicros;
        }

        batch.LastSendMicros = SendMicros;

        // Per copy (duplicates send one per path): its own path id, path sequence and nonce.
        var datagram = new Span<byte>(batch.Buffer + batch.Length, datagramLength);
        WireFormat.WriteHeader(datagram, MessageType.Data, 0, _epoch, (byte)p, _tag, TransmitLoop.Stream, ++_counter);
        DataMeta.Write(plaintext, fields, (byte)p, ++_pathSequence[p], SendMicros);
        _cipher!.Seal(
            datagram.Slice(WireFormat.NonceOffset, WireFormat.NonceLength),
            plaintext,
            datagram.Slice(WireFormat.HeaderLength, plaintext.Length),
            datagram.Slice(WireFormat.HeaderLength + plaintext.Length, WireFormat.TagLength),
            default);
        batch.Length += datagramLength;
        batch.Count++;
        batch.Ended = datagramLength < batch.SegmentSize;
        batch.LastGlobal = fields.Global;
        batch.DataBytes += plaintext.Length - WireFormat.DataMetaLength;
    }

    /// <summary>Sends every batch that holds something.</summary>
    public void FlushAll()
    {
        for (var p = 0; p < _batches.Length; p++)
        {
            if (_batches[p].Count > 0)
            {
                Flush(p);
            }
        }
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_mmsg);
        NativeMemory.AlignedFree(_iov);
        foreach (var batch in _batches)
        {
            batch.Dispose();
        }
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
                tx.LastDataTicks = NowTicks;
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

    /// <summary>One path's batch; its buffer is made when the path is first sent data on (an aggregator's idle site holds none).</summary>
    private sealed class Batch(int capacity) : IDisposable
    {
        public byte* Buffer { get; private set; }

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

        public void Reserve()
        {
            if (Buffer is null)
            {
                Buffer = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, 64);
            }
        }

        public void Dispose()
        {
            if (Buffer is not null)
            {
                NativeMemory.AlignedFree(Buffer);
                Buffer = null;
            }
        }
    }
}
