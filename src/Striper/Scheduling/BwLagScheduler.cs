using Fleet.Contracts.Links;

namespace Fleet.Striper.Scheduling;

/// <summary>
/// bw_lag (IPEQL): the same queue model as earliest_arrival, but the choice considers only how soon each path would
/// have transmitted the packet at its rate; lags serve only to order the paths, so among equally good paths the
/// lower-lag one wins (seed 002: only the relative order of lags needs to be known). A path's lag is its spec hint,
/// else its measured minimum RTT; without either, the spec order is the lag order.
/// </summary>
public sealed class BwLagScheduler : IStripeScheduler
{
    private readonly VirtualQueues _queues = new();
    private readonly int[] _order = new int[32];
    private readonly double[] _lagKey = new double[32];

    /// <inheritdoc />
    public StripeSchedulerKind Kind => StripeSchedulerKind.BwLag;

    /// <inheritdoc />
    public uint Select(PathSet paths, uint eligible, int bytes, double nowSeconds)
    {
        if (eligible == 0)
        {
            return 0;
        }

        // Insertion sort of the usable paths by lag (a handful of paths; no allocation).
        var n = 0;
        for (var i = 0; i < paths.Count; i++)
        {
            if ((eligible & (1u << i)) == 0)
            {
                continue;
            }

            var key = paths.PlannedLag(i);
            var j = n++;
            while (j > 0 && _lagKey[j - 1] > key)
            {
                _lagKey[j] = _lagKey[j - 1];
                _order[j] = _order[j - 1];
                j--;
            }

            _lagKey[j] = key;
            _order[j] = i;
        }

        var best = -1;
        var bestTime = double.MaxValue;
        var bestQueued = 0.0;
        for (var k = 0; k < n; k++)
        {
            var i = _order[k];
            var rate = paths.PlannedRate(i);
            var queued = _queues.Queued(i, rate, nowSeconds);
            var time = (queued + bytes) * 8 / rate;
            if (time < bestTime)
            {
                best = i;
                bestTime = time;
                bestQueued = queued;
            }
        }

        _queues.Add(best, bestQueued, bytes, nowSeconds);
        return 1u << best;
    }
}
