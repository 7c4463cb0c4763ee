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
/// Parity: with packet i of the block lost independently with its path's loss pᵢ, a data packet is lost for good when
/// it is lost and r or more of the block's other packets are too. The planner takes the smallest r whose expected share
/// of data lost for good (the Poisson-binomial tail, computed exactly) is within the target; r = 0 when the paths
/// are clean. Allocation-free; one instance per sending class.
/// </para>
/// </summary>
internal sealed class FecPlanner
{
    /// <summary>Added to a path's loss when spreading, so clean paths share a block instead of one taking it all.</summary>
    private const double SpreadFloor = 0.01;

    /// <summary>Loss assumed at most for one path: a path reporting worse is treated as this bad (the formulas need p &lt; 1).</summary>
    private const double MaxLoss = 0.5;

    private readonly double[] _loss = new double[CauchyCode.MaxData + CauchyCode.MaxParity];
    private readonly double[] _distribution = new double[CauchyCode.MaxData + CauchyCode.MaxParity + 1];
    private readonly int[] _counts = new int[32];

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

            var cost = (counts[i] + 1) * (Math.Clamp(paths.LossRatio[i], 0, MaxLoss) + SpreadFloor);
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
            _loss[n] = Math.Clamp(paths.LossRatio[path], 0, MaxLoss);
        }

        for (var parity = 0; parity < maxParity; parity++)
        {
            if (ResidualLoss(_loss.AsSpan(0, data + parity), data, parity) <= targetLoss)
            {
                return parity;
            }
        }

        return maxParity;
    }

    /// <summary>
    /// Expected share of the first <paramref name="data"/> packets lost for good when packet i is lost with
    /// <paramref name="loss"/>[i] and the block carries <paramref name="parity"/> parity packets (the rest of the span).
    /// </summary>
    public double ResidualLoss(ReadOnlySpan<double> loss, int data, int parity)
    {
        var n = loss.Length;
        if (parity == 0)
        {
            var sum = 0.0;
            for (var i = 0; i < data; i++)
            {
                sum += loss[i];
            }

            return sum / data;
        }

        // Distribution of the number of losses among all n packets (Poisson-binomial, by convolution).
        var p = _distribution.AsSpan(0, n + 1);
        p.Clear();
        p[0] = 1;
        for (var i = 0; i < n; i++)
        {
            for (var m = i + 1; m > 0; m--)
            {
                p[m] = (p[m] * (1 - loss[i])) + (p[m - 1] * loss[i]);
            }

            p[0] *= 1 - loss[i];
        }

        var residual = 0.0;
        for (var j = 0; j < data; j++)
        {
            var q = loss[j];
            if (q <= 0)
            {
                continue;
            }

            // Losses among the others: remove packet j from the distribution (deconvolution), up to r - 1 losses.
            var below = 0.0;
            var previous = 0.0;
            for (var m = 0; m < parity; m++)
            {
                var others = (p[m] - (q * previous)) / (1 - q);
                below += others;
                previous = others;
            }

            residual += q * Math.Clamp(1 - below, 0, 1);
        }

        return residual / data;
    }
}
