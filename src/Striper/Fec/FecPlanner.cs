using Fleet.Striper.Scheduling;

namespace Fleet.Striper.Fec;

/// <summary>
/// Plans FEC blocks from the paths' measured loss: where each packet of a block goes, and how many parity packets a
/// block of k data packets needs to meet the residual loss target.
/// <para>
/// Placement spreads a block over the paths it may use: the next packet goes to the path with the smallest
/// (packets of the block already on it + 1) × (its loss + 1 %). Equally good paths share a block evenly, so a burst of
/// losses on one path costs each block only that path's share, which the parity on the other paths recovers; a lossy
/// path gets fewer packets of each block than a clean one.
/// </para>
/// <para>
/// Parity: the planner takes the smallest r whose expected share of data lost for good is within the target, each
/// path losing its packets of the block with its FEC loss figure (<see cref="PathSet.FecLossRatio"/>) in bursts of its
/// measured length (<see cref="BlockLossModel"/>); r = 0 when the paths are clean. Allocation-free; one instance per
/// sending class.
/// </para>
/// </summary>
internal sealed class FecPlanner
{
    /// <summary>Added to a path's loss when spreading, so clean paths share a block instead of one taking it all.</summary>
    private const double SpreadFloor = 0.01;

    /// <summary>Loss assumed at most for one path: a path reporting worse is treated as this bad (the formulas need p &lt; 1).</summary>
    private const double MaxLoss = 0.5;

    private readonly BlockLossModel _model = new();
    private readonly int[] _pathOf = new int[CauchyCode.MaxData + CauchyCode.MaxParity];
    private readonly int[] _counts = new int[32];
    private readonly int[] _dataCounts = new int[32];
    private readonly int[] _usedPackets = new int[32];
    private readonly int[] _usedData = new int[32];
    private readonly double[] _usedLoss = new double[32];
    private readonly double[] _usedBurst = new double[32];

    /// <summary>The path for the next packet of a block whose packets are already spread as <paramref name="counts"/>; -1 when none is eligible.</summary>
    public static int Place(PathSet paths, uint eligible, ReadOnlySpan<int> counts)
    {
        var best = -1;
        var bestCost = double.MaxValue;
        for (var i = 0; i < paths.Count; i++)
        {
            if ((eligible & (1u << i)) == 0)
            {
                continue;
            }

            var cost = (counts[i] + 1) * (Loss(paths, i) + SpreadFloor);
            if (cost < bestCost)
            {
                best = i;
                bestCost = cost;
            }
        }

        return best;
    }

    /// <summary>
    /// Parity packets for a block of <paramref name="data"/> packets (at most <paramref name="maxParity"/>) so that the
    /// expected share of its data lost for good is at most <paramref name="targetLoss"/> (0..1).
    /// </summary>
    public int Parity(PathSet paths, uint eligible, int data, int maxParity, double targetLoss)
    {
        maxParity = Math.Clamp(maxParity, 0, CauchyCode.MaxParity);
        data = Math.Clamp(data, 1, CauchyCode.MaxData);
        Array.Clear(_counts);
        for (var n = 0; n < data + maxParity; n++)
        {
            var path = Place(paths, eligible, _counts);
            if (path < 0)
            {
                return 0;
            }

            _counts[path]++;
            _pathOf[n] = path;
        }

        for (var parity = 0; parity < maxParity; parity++)
        {
            if (ResidualLoss(paths, data, parity) <= targetLoss)
            {
                return parity;
            }
        }

        return maxParity;
    }

    /// <summary>The block's residual loss (<see cref="BlockLossModel"/>) with its first data + parity packets placed as planned.</summary>
    private double ResidualLoss(PathSet paths, int data, int parity)
    {
        Array.Clear(_counts);
        Array.Clear(_dataCounts);
        for (var n = 0; n < data + parity; n++)
        {
            _counts[_pathOf[n]]++;
            _dataCounts[_pathOf[n]] += n < data ? 1 : 0;
        }

        var used = 0;
        for (var i = 0; i < paths.Count; i++)
        {
            if (_counts[i] == 0)
            {
                continue;
            }

            _usedPackets[used] = _counts[i];
            _usedData[used] = _dataCounts[i];
            _usedLoss[used] = Loss(paths, i);
            _usedBurst[used] = Math.Max(1, paths.LossBurstLength[i]);
            used++;
        }

        return _model.ResidualLoss(_usedPackets.AsSpan(0, used), _usedData.AsSpan(0, used), _usedLoss.AsSpan(0, used), _usedBurst.AsSpan(0, used), parity);
    }

    private static double Loss(PathSet paths, int path) => Math.Clamp(paths.FecLossRatio[path], 0, MaxLoss);
}
