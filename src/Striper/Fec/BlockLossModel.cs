namespace Fleet.Striper.Fec;

/// <summary>
/// The share of a block's data lost for good when its packets are spread over paths whose losses come in bursts. Each
/// path loses its packets of the block as a two-state (Gilbert) chain: a packet is lost with the path's loss p, and
/// the packet after a lost one with a = max(p, 1 − 1/L), L being the path's mean burst length (a = p is independent
/// loss; a run of L packets in a row makes the next lost with 1 − 1/L), so a path's packets of one block, which it
/// carries close together, are lost together when its bursts are long. Paths lose independently of each other. The
/// block loses its data for good when more of its packets are lost than it has parity (any k of its k + r recover
/// it); a path's lost packets are data in the proportion it carries data. Allocation-free; one instance per planner.
/// </summary>
internal sealed class BlockLossModel
{
    private const int MaxPackets = CauchyCode.MaxData + CauchyCode.MaxParity;
    private const int Stride = MaxPackets + 1;
    private const int MaxPaths = 32;
    private readonly double[] _paths = new double[MaxPaths * Stride];
    private readonly double[] _prefix = new double[(MaxPaths + 1) * Stride];
    private readonly double[] _suffix = new double[(MaxPaths + 1) * Stride];
    private readonly double[] _others = new double[Stride];
    private readonly double[] _lostEnd = new double[Stride];
    private readonly double[] _keptEnd = new double[Stride];

    /// <summary>
    /// Expected share of the block's data packets lost for good. Per path u (each carrying at least one packet):
    /// <paramref name="packets"/>[u] packets of the block, <paramref name="data"/>[u] of them data, its loss
    /// <paramref name="loss"/>[u] (0..0.5) and mean burst length <paramref name="burstLength"/>[u] (≥ 1); the block
    /// has <paramref name="parity"/> parity packets.
    /// </summary>
    public double ResidualLoss(ReadOnlySpan<int> packets, ReadOnlySpan<int> data, ReadOnlySpan<double> loss, ReadOnlySpan<double> burstLength, int parity)
    {
        var count = packets.Length;
        var total = 0;
        var dataTotal = 0;
        for (var u = 0; u < count; u++)
        {
            PathDistribution(packets[u], loss[u], burstLength[u], _paths.AsSpan(u * Stride, packets[u] + 1));
            total += packets[u];
            dataTotal += data[u];
        }

        // Losses on the paths before u (prefix) and from u on (suffix), so "every path but u" costs one convolution.
        _prefix.AsSpan(0, Stride).Clear();
        _prefix[0] = 1;
        var size = 0;
        for (var u = 0; u < count; u++)
        {
            Convolve(_prefix.AsSpan(u * Stride, size + 1), _paths.AsSpan(u * Stride, packets[u] + 1), _prefix.AsSpan((u + 1) * Stride, Stride));
            size += packets[u];
        }

        _suffix.AsSpan(count * Stride, Stride).Clear();
        _suffix[count * Stride] = 1;
        size = 0;
        for (var u = count - 1; u >= 0; u--)
        {
            Convolve(_suffix.AsSpan((u + 1) * Stride, size + 1), _paths.AsSpan(u * Stride, packets[u] + 1), _suffix.AsSpan(u * Stride, Stride));
            size += packets[u];
        }

        var residual = 0.0;
        var before = 0;
        for (var u = 0; u < count; u++)
        {
            if (data[u] == 0)
            {
                before += packets[u];
                continue;
            }

            var after = total - before - packets[u];
            var others = _others.AsSpan(0, before + after + 1);
            Convolve(_prefix.AsSpan(u * Stride, before + 1), _suffix.AsSpan((u + 1) * Stride, after + 1), _others);

            // Tail: P(others lose at least x), for x from the top down.
            var lostHere = 0.0;
            var distribution = _paths.AsSpan(u * Stride, packets[u] + 1);
            for (var c = 1; c <= packets[u]; c++)
            {
                var need = parity + 1 - c;
                var tail = 0.0;
                if (need <= 0)
                {
                    tail = 1;
                }
                else
                {
                    for (var x = need; x < others.Length; x++)
                    {
                        tail += others[x];
                    }
                }

                lostHere += c * distribution[c] * tail;
            }

            residual += lostHere * data[u] / packets[u];
            before += packets[u];
        }

        return dataTotal == 0 ? 0 : residual / dataTotal;
    }

    /// <summary>Distribution of the number lost among a path's <paramref name="n"/> packets in a row (the Gilbert chain).</summary>
    private void PathDistribution(int n, double p, double burstLength, Span<double> result)
    {
        var stay = Math.Max(p, 1 - (1 / Math.Max(1, burstLength)));
        var enter = p >= 1 ? 1 : Math.Min(1, p * (1 - stay) / (1 - p));
        var lost = _lostEnd.AsSpan(0, n + 1);
        var kept = _keptEnd.AsSpan(0, n + 1);
        lost.Clear();
        kept.Clear();
        lost[1] = p;
        kept[0] = 1 - p;
        for (var step = 1; step < n; step++)
        {
            for (var c = step + 1; c >= 0; c--)
            {
                var fromLost = c > 0 ? lost[c - 1] : 0;
                var fromKept = c > 0 ? kept[c - 1] : 0;
                var newLost = (fromLost * stay) + (fromKept * enter);
                var newKept = (lost[c] * (1 - stay)) + (kept[c] * (1 - enter));
                lost[c] = newLost;
                kept[c] = newKept;
            }
        }

        for (var c = 0; c <= n; c++)
        {
            result[c] = lost[c] + kept[c];
        }
    }

    private static void Convolve(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> result)
    {
        result[..(a.Length + b.Length - 1)].Clear();
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = 0; j < b.Length; j++)
            {
                result[i + j] += a[i] * b[j];
            }
        }
    }
}
