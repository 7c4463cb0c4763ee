namespace Fleet.Striper.Health;

/// <summary>
/// How long a path's loss bursts are: the mean run of consecutive packets lost, from the running counts of lost
/// packets and of the runs they made up that the receiver sends in its probes (docs/striper-protocol.md, "probe").
/// Random loss gives runs of about one packet; a burst that takes n packets in a row, runs of n. The FEC planner
/// counts a path's packets of one block as lost together when its runs are long. Recent runs weigh more (each new
/// run keeps 97 % of the old figures). Single-threaded: the caller holds the path's health lock.
/// </summary>
public sealed class LossBurstEstimator
{
    private const double Keep = 0.97;

    /// <summary>Larger jumps than this between two probes are a restarted peer's counters, not loss.</summary>
    private const int MaxStep = 1 << 14;
    private bool _started;
    private ushort _lastLost;
    private ushort _lastRuns;
    private double _lost;
    private double _runs;

    /// <summary>Mean length of the path's loss runs in packets (1 until any run was reported).</summary>
    public double MeanLength => _runs > 0 ? Math.Max(1, _lost / _runs) : 1;

    /// <summary>Forgets the figures (a new session).</summary>
    public void Reset() => (_started, _lost, _runs) = (false, 0, 0);

    /// <summary>
    /// A probe's loss tally: lost packets in its high 16 bits, runs in its low 16, both running and wrapping. A peer that
    /// predates the tally sends 0 every time, which leaves the figures at one packet per run.
    /// </summary>
    public void OnTally(uint tally)
    {
        var lost = (ushort)(tally >> 16);
        var runs = (ushort)tally;
        var deltaLost = (ushort)(lost - _lastLost);
        var deltaRuns = (ushort)(runs - _lastRuns);
        var started = _started;
        (_started, _lastLost, _lastRuns) = (true, lost, runs);
        if (!started || deltaRuns == 0 || deltaLost < deltaRuns || deltaLost > MaxStep)
        {
            return;
        }

        var keep = Math.Pow(Keep, deltaRuns);
        _lost = (keep * _lost) + deltaLost;
        _runs = (keep * _runs) + deltaRuns;
    }
}
