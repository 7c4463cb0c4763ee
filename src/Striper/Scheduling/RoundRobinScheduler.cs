using System.Numerics;
using Fleet.Contracts.Links;

namespace Fleet.Striper.Scheduling;

/// <summary>round_robin: packets in turn over the usable paths (IPEQL round_robin, BRR). Cheapest; fits equal paths.</summary>
public sealed class RoundRobinScheduler : IStripeScheduler
{
    private int _last = -1;

    /// <inheritdoc />
    public StripeSchedulerKind Kind => StripeSchedulerKind.RoundRobin;

    /// <inheritdoc />
    public uint Select(PathSet paths, uint eligible, int bytes, double nowSeconds)
    {
        if (eligible == 0)
        {
            return 0;
        }

        // The next usable path after the last one, wrapping around.
        var shift = _last + 1;
        var after = shift >= 32 ? 0 : eligible & (uint.MaxValue << shift);
        var next = BitOperations.TrailingZeroCount(after != 0 ? after : eligible);
        _last = next;
        return 1u << next;
    }
}
