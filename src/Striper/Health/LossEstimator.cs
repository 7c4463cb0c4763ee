namespace Fleet.Striper.Health;

/// <summary>
/// Loss of one path from the running counters the receiver puts in its probe answers (packets delivered, packets given
/// up as lost), smoothed over the answers. Two figures: <see cref="Ratio"/> counts every loss (counters, schedulers);
/// <see cref="FailureRatio"/> leaves out loss that a queue at the path's bottleneck explains — a path our own traffic
/// fills drops packets at its queue's tail (TCP probes for bandwidth that way), which says the path is full, not that
/// it is failing. Loss counts as a failure only while the one-way delay shows no standing queue (random loss of a bad
/// line, a failing link), the distinction TCP Veno draws. Single-threaded: the caller holds the path's health lock.
/// </summary>
public sealed class LossEstimator
{
    private const int MinPackets = 20;

    /// <summary>Share of the windowed sums kept per report: they span about the last 20 reports.</summary>
    private const double WindowKeep = 0.95;
    private ulong _lastRx;
    private ulong _lastLost;
    private double _windowLost;
    private double _windowTotal;

    /// <summary>Smoothed share of the path's data packets lost (0..1), whatever the cause.</summary>
    public double Ratio { get; private set; }

    /// <summary>Smoothed share lost while the path had no standing queue (0..1): what path health judges.</summary>
    public double FailureRatio { get; private set; }

    /// <summary>
    /// Loss to plan FEC parity with (0..1): the larger of <see cref="Ratio"/> and the share lost over about the last 20
    /// reports, so loss that comes in bursts keeps its weight in the reports between them (a burst-free report halves
    /// nothing) while a rise still shows at once.
    /// </summary>
    public double SustainedRatio => _windowTotal > 0 ? Math.Max(Ratio, _windowLost / _windowTotal) : Ratio;

    /// <summary>
    /// Forgets the smoothed figures (a new session: loss seen with the previous peer says nothing about this one). The
    /// counter baselines stay; a peer whose counters restarted is noticed by <see cref="OnReport"/>.
    /// </summary>
    public void Reset() => (Ratio, FailureRatio, _windowLost, _windowTotal) = (0, 0, 0, 0);

    /// <summary>
    /// Takes the receiver's running counters; <paramref name="queueing"/> says its one-way delay showed a queue building
    /// at the bottleneck. Returns true when the figures changed (enough packets since the last sample, any loss, or an
    /// idle path whose old figures fade).
    /// </summary>
    public bool OnReport(ulong rxPackets, ulong lostPackets, bool queueing)
    {
        if (rxPackets < _lastRx || lostPackets < _lastLost)
        {
            // The peer's counters restarted (a new process): start over from them.
            (_lastRx, _lastLost) = (rxPackets, lostPackets);
            return false;
        }

        var deltaRx = rxPackets - _lastRx;
        var deltaLost = lostPackets - _lastLost;
        var total = deltaRx + deltaLost;
        if (total >= MinPackets || deltaLost > 0)
        {
            var sample = (double)deltaLost / total;
            Ratio = (0.7 * Ratio) + (0.3 * sample);
            FailureRatio = (0.7 * FailureRatio) + (0.3 * (queueing ? 0 : sample));
            _windowLost = (WindowKeep * _windowLost) + deltaLost;
            _windowTotal = (WindowKeep * _windowTotal) + total;
            (_lastRx, _lastLost) = (rxPackets, lostPackets);
            return true;
        }

        if (total == 0)
        {
            // Nothing sent on the path lately: no evidence of loss any more, let the old figures fade.
            Ratio *= 0.5;
            FailureRatio *= 0.5;
            _windowLost *= 0.5;
            return true;
        }

        return false;
    }
}
