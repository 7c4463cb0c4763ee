using System.Numerics;
using Fleet.Contracts.Links;

namespace Fleet.Striper.Scheduling;

/// <summary>
/// redundant: every packet on the <c>copies</c> best usable paths (0 = all; default 2), best meaning least loss, then
/// lowest smoothed RTT (unmeasured paths last), then spec order. The receiver keeps the first copy and counts the others as duplicates.
/// Trades bandwidth for resilience: a packet survives as long as one of its paths delivers it.
/// </summary>
public sealed class RedundantScheduler : IStripeScheduler
{
    /// <summary>Copies when the spec gives none.</summary>
    public const int DefaultCopies = 2;

    private readonly int _copies;

    /// <summary>Creates the scheduler; <paramref name="copies"/> 0 means every usable path.</summary>
    public RedundantScheduler(int copies = DefaultCopies)
    {
        _copies = copies;
    }

    /// <inheritdoc />
    public StripeSchedulerKind Kind => StripeSchedulerKind.Redundant;

    /// <inheritdoc />
    public uint Select(PathSet paths, uint eligible, int bytes, double nowSeconds)
    {
        if (_copies == 0 || BitOperations.PopCount(eligible) <= _copies)
        {
            return eligible;
        }

        uint chosen = 0;
        for (var c = 0; c < _copies; c++)
        {
            var best = -1;
            for (var i = 0; i < paths.Count; i++)
            {
                if ((eligible & (1u << i)) == 0 || (chosen & (1u << i)) != 0)
                {
                    continue;
                }

                if (best < 0 || Better(paths, i, best))
                {
                    best = i;
                }
            }

            chosen |= 1u << best;
        }

        return chosen;
    }

    private static bool Better(PathSet paths, int a, int b)
    {
        var lossA = Math.Round(paths.LossRatio[a], 2);
        var lossB = Math.Round(paths.LossRatio[b], 2);
        if (lossA != lossB)
        {
            return lossA < lossB;
        }

        return paths.RankingSrtt(a) < paths.RankingSrtt(b) * 0.9;
    }
}
