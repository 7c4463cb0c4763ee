using Fleet.Contracts.Links;

namespace Fleet.Striper.Scheduling;

/// <summary>
/// earliest_arrival (IPEQL bw_lag_val): predicts for each usable path when the packet would arrive, as the time to
/// drain the bytes modelled as queued on it plus this packet at its rate, plus its one-way lag, and sends on the
/// earliest. Paths fill in proportion to their rates and packets arrive close to their sending order, which keeps
/// the receiver's resequencing short. Rates and lags come from the spec's hints, else from measurement.
/// </summary>
public sealed class EarliestArrivalScheduler : IStripeScheduler
{
    private readonly VirtualQueues _queues = new();

    /// <inheritdoc />
    public StripeSchedulerKind Kind => StripeSchedulerKind.EarliestArrival;

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

            var rate = paths.PlannedRate(i);
            var queued = _queues.Queued(i, rate, nowSeconds);
            var arrival = ((queued + bytes) * 8 / rate) + paths.PlannedLag(i);
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
