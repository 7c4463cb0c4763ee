using Fleet.Contracts.Links;

namespace Fleet.Striper.Scheduling;

/// <summary>
/// adaptive (IPEQL auto_bw): earliest arrival on live measurements only. Each path's rate is the capacity estimated
/// from what the receiver reports it delivered (reduced by the path's loss), its lag half its minimum RTT; the
/// estimates are smoothed by <c>smoothing</c> (weight of a new measurement, 0..1). Spec hints only seed the rates
/// until the first measurement.
/// </summary>
public sealed class AdaptiveScheduler : IStripeScheduler
{
    /// <summary>Weight of a new measurement when the spec gives none.</summary>
    public const double DefaultSmoothing = 0.25;

    private readonly VirtualQueues _queues = new();
    private readonly double _smoothing;
    private readonly double[] _rate = new double[32];
    private readonly double[] _lastMeasured = new double[32];

    /// <summary>Creates the scheduler with the smoothing weight of new measurements.</summary>
    public AdaptiveScheduler(double smoothing = DefaultSmoothing)
    {
        _smoothing = smoothing;
    }

    /// <inheritdoc />
    public StripeSchedulerKind Kind => StripeSchedulerKind.Adaptive;

    /// <inheritdoc />
    public uint Select(PathSet paths, uint eligible, int bytes, double nowSeconds)
    {
        var best = -1;
        var bestArrival = double.MaxValue;
        var bestQueued = 0.0;
        for (var i = 0; i < paths.Count; i++)
        {
            if ((eligible & (1u << i)) == 0)
            {
                continue;
            }

            // Smooth once per new measurement (the control loop updates them a few times a second), not per packet.
            var measured = paths.MeasuredRate(i);
            if (measured != _lastMeasured[i])
            {
                _rate[i] = _rate[i] <= 0 ? measured : _rate[i] + (_smoothing * (measured - _rate[i]));
                _lastMeasured[i] = measured;
            }
            var queued = _queues.Queued(i, _rate[i], nowSeconds);
            var arrival = ((queued + bytes) * 8 / _rate[i]) + (paths.MinRttSeconds[i] / 2);
            if (arrival < bestArrival)
            {
                best = i;
                bestArrival = arrival;
                bestQueued = queued;
            }
        }

        if (best < 0)
        {
            return 0;
        }

        _queues.Add(best, bestQueued, bytes, nowSeconds);
        return 1u << best;
    }
}
