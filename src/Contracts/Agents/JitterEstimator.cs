namespace Fleet.Contracts.Agents;

/// <summary>
/// Jitter of a member's probe round-trip times: the smoothed mean deviation of successive RTTs, RFC 3550's interarrival
/// jitter estimator (section 6.4.1, <c>J += (|D| − J) / 16</c>) with D the difference between two consecutive probe
/// RTTs instead of two transit times. Gain 1/16 reduces noise while converging within a few dozen probes. One per
/// member, fed by the one thread that takes its probe RTTs; a mutable struct kept in a field (never copied).
/// </summary>
public struct JitterEstimator
{
    private double _lastRttMs;
    private double _jitterMs;
    private bool _hasLast;
    private bool _hasJitter;

    /// <summary>The jitter in milliseconds; null until two RTTs were recorded.</summary>
    public readonly double? JitterMs => _hasJitter ? _jitterMs : null;

    /// <summary>Records the RTT of the latest answered probe, in milliseconds (not finite or negative: ignored).</summary>
    public void Record(double rttMs)
    {
        if (!double.IsFinite(rttMs) || rttMs < 0)
        {
            return;
        }

        if (_hasLast)
        {
            _jitterMs += (Math.Abs(rttMs - _lastRttMs) - _jitterMs) / 16;
            _hasJitter = true;
        }

        _lastRttMs = rttMs;
        _hasLast = true;
    }
}
