using Fleet.Striper.Crypto;
using Fleet.Striper.Health;
using Fleet.Striper.Paths;
using Fleet.Striper.Reordering;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// Both ends of a probe on the receiving thread: answers the peer's probes with this end's view of the path (and
/// takes each probe's drain marker for the resequencer), and feeds answers to our probes to the path's health,
/// capacity and loss estimators.
/// </summary>
internal sealed class ProbeResponder
{
    private readonly ControlSender _control;
    private readonly Resequencer _resequencer;
    private readonly DelayTracker _delays;
    private readonly HoldTimeController _hold;
    private readonly ReceiveCounters _counters;

    public ProbeResponder(ControlSender control, Resequencer resequencer, DelayTracker delays, HoldTimeController hold, ReceiveCounters counters)
    {
        _control = control;
        _resequencer = resequencer;
        _delays = delays;
        _hold = hold;
        _counters = counters;
    }

    public void OnProbe(PathRuntime path, in WireHeader header, in ProbeMessage probe, SessionKeys keys, in RawSocketAddress source, long now)
    {
        _counters.Probes++;
        var rx = path.Rx;
        rx.SenderPathId = header.PathId;
        _resequencer.OnPathMarker(path.Index, probe.PathSequence, probe.NextGlobalSequence, now);
        rx.LostPackets = _resequencer.PathLost(path.Index);
        rx.LossRuns = _resequencer.PathLossRuns(path.Index);
        lock (path.HealthLock)
        {
            // What the peer received of ours on this path: how long our packets' loss bursts are.
            path.LossBursts.OnTally(probe.LossTally);
        }

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
            HoldMicros = (uint)(_hold.HoldMilliseconds * 1000),
            MinOwdMicros = (long)_delays.WindowedMinimum(path.Index),
        };
        ack.Write(body);
        _control.Send(keys, path, MessageType.ProbeAck, body, source);
    }

    public void OnProbeAck(PathRuntime path, in ProbeAckMessage ack, SessionKeys keys, long now)
    {
        _counters.ProbeAcks++;
        keys.OnProbeAnswered(ack.EchoSendTimeMicros);
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
}
