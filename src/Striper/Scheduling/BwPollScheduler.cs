using Fleet.Contracts.Links;

namespace Fleet.Striper.Scheduling;

/// <summary>
/// bw_poll (IPEQL, after EQL): every packet lowers each usable path's priority by its share and sends on the lowest,
/// whose priority then rises by the sum of shares (weighted by the packet's bytes, so bytes split by share). In
/// addition the priorities decay toward 0 over time, by the factor <c>decay</c> per 100 ms: after a pause the first
/// packets go to the largest-share path (seed 002: "each letter typed over a telnet session goes over the faster
/// device").
/// </summary>
public sealed class BwPollScheduler : IStripeScheduler
{
    /// <summary>Decay factor per interval when the spec gives none.</summary>
    public const double DefaultDecay = 0.5;

    private const double DecayIntervalSeconds = 0.1;
    private readonly double _decay;
    private readonly double[] _priority = new double[32];
    private double _lastDecay = double.NaN;

    /// <summary>Creates the scheduler with a decay factor per 100 ms (0..1).</summary>
    public BwPollScheduler(double decay = DefaultDecay)
    {
        _decay = decay;
    }

    /// <inheritdoc />
    public StripeSchedulerKind Kind => StripeSchedulerKind.BwPoll;

    /// <inheritdoc />
    public uint Select(PathSet paths, uint eligible, int bytes, double nowSeconds)
    {
        if (eligible == 0)
        {
            return 0;
        }

        if (double.IsNaN(_lastDecay))
        {
            _lastDecay = nowSeconds;
        }
        else if (nowSeconds - _lastDecay >= DecayIntervalSeconds)
        {
            var factor = Math.Pow(_decay, (nowSeconds - _lastDecay) / DecayIntervalSeconds);
            for (var i = 0; i < paths.Count; i++)
            {
                _priority[i] *= factor;
            }

            _lastDecay = nowSeconds;
        }

        var total = 0.0;
        for (var i = 0; i < paths.Count; i++)
        {
            if ((eligible & (1u << i)) != 0)
            {
                total += paths.Share(i);
            }
        }

        var best = -1;
        for (var i = 0; i < paths.Count; i++)
        {
            if ((eligible & (1u << i)) == 0)
            {
                continue;
            }

            _priority[i] -= paths.Share(i) / total * bytes;
            if (best < 0 || _priority[i] < _priority[best])
            {
                best = i;
            }
        }

        _priority[best] += bytes;
        return 1u << best;
    }
}
