using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// Silence reports (docs/striper-protocol.md, "Health"), both ends of them. As a receiver: finds paths whose latest
/// delivery trails the newest delivery on any path by far more than it normally does, and reports them to the peer on
/// the other paths. As a sender: believes a report about one of its paths only when it did send data there that should
/// have arrived, and then marks the path suspect for the control thread.
/// </summary>
internal sealed class SilenceReports
{
    private const double MinStallMicros = 15_000;
    private static readonly long s_reportIntervalTicks = MonotonicClock.TicksFromSeconds(0.05);
    private static readonly long s_activeWindowTicks = MonotonicClock.TicksFromSeconds(2);
    private static readonly long s_lagLearnTicks = MonotonicClock.TicksFromSeconds(0.1);
    private readonly StriperEngine _engine;
    private readonly ControlSender _control;
    private readonly ReceiveCounters _counters;
    private long _lastReport;

    public SilenceReports(StriperEngine engine, ControlSender control, ReceiveCounters counters)
    {
        _engine = engine;
        _control = control;
        _counters = counters;
    }

    /// <summary>Looks for silent paths and reports them; call only with every socket read empty (a backlog in one socket looks like a stall).</summary>
    public void Detect(long now)
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
                _counters.ReportsSent++;
                _control.Send(keys, paths[i], MessageType.Report, body[..length], peer.Address);
            }
        }
    }

    /// <summary>An accepted report from the peer: the paths it finds silent, with the send time of the last packet it got on each.</summary>
    public void OnReport(uint newest, uint threshold, ReadOnlySpan<(byte PathId, uint LastSendMicros)> entries)
    {
        _counters.Reports++;
        foreach (var (pathId, lastDelivered) in entries)
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
}
