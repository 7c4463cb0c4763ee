using Fleet.Striper.Reordering;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// Adapts the resequencer's hold time (docs/striper-protocol.md, "Resequencing"): how long a gap is waited for before
/// it is given up. Run by the receiving thread every few milliseconds.
/// </summary>
internal sealed class HoldTimeController
{
    private static readonly long s_activeWindowTicks = MonotonicClock.TicksFromSeconds(2);
    private readonly StriperEngine _engine;
    private readonly Resequencer _resequencer;

    public HoldTimeController(StriperEngine engine, Resequencer resequencer)
    {
        _engine = engine;
        _resequencer = resequencer;
    }

    /// <summary>Current hold time in milliseconds.</summary>
    public double HoldMilliseconds { get; private set; }

    public void Update(long now)
    {
        var maxOwd = double.MinValue;
        var minOwd = double.MaxValue;
        var jitter = 0.0;
        foreach (var path in _engine.Paths)
        {
            var rx = path.Rx;
            rx.LostPackets = _resequencer.PathLost(path.Index);
            rx.LossRuns = _resequencer.PathLossRuns(path.Index);
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
    }
}
