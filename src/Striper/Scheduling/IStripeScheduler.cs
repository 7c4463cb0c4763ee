using Fleet.Contracts.Links;

namespace Fleet.Striper.Scheduling;

/// <summary>
/// A striping method: picks the path (or paths) for each packet. Called by one sending thread per instance, once per
/// packet, so an implementation allocates nothing and does O(paths) work. A link switches methods by swapping the
/// instance; sequence numbers, keys and the receiver's state are not touched.
/// </summary>
public interface IStripeScheduler
{
    /// <summary>The method.</summary>
    StripeSchedulerKind Kind { get; }

    /// <summary>
    /// Chooses the paths for a packet of <paramref name="bytes"/> bytes at <paramref name="nowSeconds"/> (a monotonic
    /// clock) among <paramref name="eligible"/> (bit i = path i): the paths the link's tiers and health allow, narrowed
    /// to a traffic class's members. Returns a bit mask of path indexes, one bit for most methods, several for
    /// <c>redundant</c>; 0 when no path is eligible.
    /// </summary>
    uint Select(PathSet paths, uint eligible, int bytes, double nowSeconds);
}
