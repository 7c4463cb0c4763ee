using Fleet.Contracts.Links;

namespace Fleet.Striper.Scheduling;

/// <summary>
/// weighted: surplus round robin by bytes (Adiseshu, Parulkar, Varghese, "A Reliable and Scalable Striping Protocol",
/// SIGCOMM 1996; seed 004's SRR). Each path in turn gets a quantum proportional to its weight and keeps the turn while
/// its deficit is positive; what a packet overdraws is carried as a surplus into the next round, so over time bytes
/// split exactly by weight whatever the packet sizes. Runs of consecutive packets on one path also make large UDP GSO
/// batches.
/// </summary>
public sealed class WeightedScheduler : IStripeScheduler
{
    /// <summary>Quantum of the heaviest path when the spec gives none.</summary>
    public const int DefaultQuantumBytes = 6000;

    private readonly double _quantumBytes;
    private readonly double[] _deficit = new double[32];
    private int _current = -1;
    private uint _lastUsable;

    /// <summary>Creates the scheduler with the heaviest path's quantum in bytes.</summary>
    public WeightedScheduler(double quantumBytes = DefaultQuantumBytes)
    {
        _quantumBytes = quantumBytes;
    }

    /// <inheritdoc />
    public StripeSchedulerKind Kind => StripeSchedulerKind.Weighted;

    /// <inheritdoc />
    public uint Select(PathSet paths, uint eligible, int bytes, double nowSeconds)
    {
        if (eligible == 0)
        {
            return 0;
        }

        if (eligible != _lastUsable)
        {
            // A path that left the set loses its credit; one that joins starts fresh.
            for (var i = 0; i < paths.Count; i++)
            {
                if ((eligible & (1u << i)) == 0)
                {
                    _deficit[i] = 0;
                }
            }

            _lastUsable = eligible;
        }

        if (_current < 0 || (eligible & (1u << _current)) == 0 || _deficit[_current] <= 0)
        {
            var maxShare = 0.0;
            for (var i = 0; i < paths.Count; i++)
            {
                if ((eligible & (1u << i)) != 0)
                {
                    maxShare = Math.Max(maxShare, paths.Share(i));
                }
            }

            // Move on until a path has credit; each step hands out a quantum, so this ends within a few rounds.
            var guard = 0;
            do
            {
                _current = (_current + 1) % paths.Count;
                if ((eligible & (1u << _current)) != 0)
                {
                    _deficit[_current] += _quantumBytes * paths.Share(_current) / maxShare;
                }
            }
            while (((eligible & (1u << _current)) == 0 || _deficit[_current] <= 0) && ++guard < 64 * paths.Count);
        }

        _deficit[_current] -= bytes;
        return 1u << _current;
    }
}
