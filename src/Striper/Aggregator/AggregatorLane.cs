using Fleet.Striper.Paths;
using Fleet.Striper.Tun;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// What one pair of workers (one receive, one transmit) owns: its socket of the SO_REUSEPORT group, its queue of the
/// multi-queue TUN device and its counters. The sites pinned to the lane receive through its socket and write to the
/// device through its queue (docs/striper-protocol.md, "Aggregator").
/// </summary>
internal sealed class AggregatorLane(int index, UdpPathSocket socket, TunDevice queue) : IDisposable
{
    public int Index { get; } = index;

    public UdpPathSocket Socket { get; } = socket;

    public TunDevice Queue { get; } = queue;

    /// <summary>Written by the lane's two workers only (each its own fields); summed on read.</summary>
    public AggregatorCounters Counters { get; } = new();

    public void Dispose()
    {
        Socket.Dispose();
        Queue.Dispose();
    }
}
