using Fleet.Striper.Crypto;
using Fleet.Striper.Paths;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// The receiving end of a speed test (docs/striper-protocol.md, "Speed test"): counts, per path, the load datagrams of
/// the step in progress and the data that came in on the path meanwhile, and answers the datagrams that ask with
/// those counts. The sender turns two answers into a rate, a loss and a round-trip time. Load never reaches the
/// resequencer or the TUN device, so user traffic only shares the path with it.
/// </summary>
internal sealed class SpeedTestResponder
{
    private readonly ControlSender _control;
    private readonly ReceiveCounters _counters;
    private readonly StepTally[] _tallies;

    public SpeedTestResponder(ControlSender control, ReceiveCounters counters, int paths, int maxDatagram)
    {
        _control = control;
        _counters = counters;
        _tallies = new StepTally[paths];
        Buffer = new byte[maxDatagram];
    }

    /// <summary>Where a load datagram's body is opened (the largest a path can carry).</summary>
    public byte[] Buffer { get; }

    /// <summary>An authentic, fresh load datagram of <paramref name="datagramLength"/> bytes arrived on <paramref name="path"/> at <paramref name="now"/>.</summary>
    public void OnLoad(PathRuntime path, in SpeedTestMessage load, int datagramLength, SessionKeys keys, in RawSocketAddress source, long now)
    {
        var rx = path.Rx;
        if (load.TestId == SpeedTestMessage.MtuProbeTestId)
        {
            // An MTU probe wants its answer only: it must not restart the count of a speed test's step, nor count as load.
            var probe = new StepTally { FirstTicks = now, Packets = 1, Bytes = (ulong)datagramLength, DataPacketsBefore = rx.DataPackets, DataBytesBefore = rx.DataBytes };
            Answer(path, load, probe, keys, source, now);
            return;
        }

        _counters.SpeedTestLoad++;
        ref var tally = ref _tallies[path.Index];
        if (!tally.Started || tally.TestId != load.TestId || tally.Step != load.Step)
        {
            tally = new StepTally
            {
                Started = true,
                TestId = load.TestId,
                Step = load.Step,
                FirstTicks = now,
                DataPacketsBefore = rx.DataPackets,
                DataBytesBefore = rx.DataBytes,
            };
        }

        tally.Packets++;
        tally.Bytes += (ulong)datagramLength;
        if (load.Answer && Answer(path, load, tally, keys, source, now))
        {
            _counters.SpeedTestAcks++;
        }
    }

    /// <summary>A new session: no step carries over.</summary>
    public void Reset() => Array.Clear(_tallies);

    private bool Answer(PathRuntime path, in SpeedTestMessage load, in StepTally tally, SessionKeys keys, in RawSocketAddress source, long now)
    {
        var rx = path.Rx;
        var dataPackets = rx.DataPackets - tally.DataPacketsBefore;
        Span<byte> body = stackalloc byte[SpeedTestAckMessage.Length];
        new SpeedTestAckMessage
        {
            TestId = load.TestId,
            Step = load.Step,
            Sequence = load.Sequence,
            EchoSendTimeMicros = load.SendTimeMicros,
            ElapsedMicros = (uint)Math.Min(uint.MaxValue, MonotonicClock.Micros(now) - MonotonicClock.Micros(tally.FirstTicks)),
            LoadPackets = tally.Packets,
            DataPackets = (uint)dataPackets,
            LoadBytes = tally.Bytes,
            // The data counter holds inner packets; on the wire each came with a data datagram's overhead.
            DataBytes = (ulong)(rx.DataBytes - tally.DataBytesBefore + (dataPackets * WireFormat.DataOverhead)),
        }.Write(body);
        return _control.Send(keys, path, MessageType.SpeedTestAck, body, source) == SendResult.Sent;
    }

    private struct StepTally
    {
        public bool Started;
        public uint TestId;
        public byte Step;
        public long FirstTicks;
        public uint Packets;
        public ulong Bytes;
        public long DataPacketsBefore;
        public long DataBytesBefore;
    }
}
