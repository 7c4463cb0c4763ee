using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Teql;

/// <summary>
/// A teql member's health from probes through it: teql itself keeps sending on a dead member, so this is the only
/// evidence. Down after <c>downAfterFailedProbes</c> consecutive failures, back up after
/// <see cref="RecoverAfterProbes"/> consecutive successes (hysteresis against a flapping path), degraded in between.
/// </summary>
public sealed class TeqlMemberProbe
{
    /// <summary>Consecutive answered probes that bring a down member back.</summary>
    public const int RecoverAfterProbes = 2;

    /// <summary>Probes remembered for the loss figure.</summary>
    public const int LossWindow = 10;

    private readonly Queue<bool> _recent = new();
    private JitterEstimator _jitter;

    /// <summary>Health so far.</summary>
    public MemberHealth Health { get; private set; } = MemberHealth.Unknown;

    /// <summary>Failed probes in a row.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>Answered probes in a row.</summary>
    public int ConsecutiveSuccesses { get; private set; }

    /// <summary>Round-trip time of the last answered probe.</summary>
    public double? LastRttMs { get; private set; }

    /// <summary>Jitter of the answered probes' round-trip times in ms (<see cref="JitterEstimator"/>); null before two answers.</summary>
    public double? JitterMs => _jitter.JitterMs;

    /// <summary>Why the last probe failed.</summary>
    public string? LastError { get; private set; }

    /// <summary>Probes sent.</summary>
    public long Probes { get; private set; }

    /// <summary>Share of the last <see cref="LossWindow"/> probes that went unanswered, in percent.</summary>
    public double? LossPercent => _recent.Count == 0 ? null : 100.0 * _recent.Count(ok => !ok) / _recent.Count;

    /// <summary>
    /// A copy of the state so far, for readers on other threads: the probe loop records while the backend observes, so
    /// readers never look at the probe itself (its loss window is a queue the loop changes). Take it under the lock
    /// that guards <see cref="Record"/>.
    /// </summary>
    public TeqlProbeSnapshot Snapshot() => new(Health, ConsecutiveFailures, Probes, LastRttMs, LossPercent, LastError, JitterMs);

    /// <summary>Records one probe's outcome; <paramref name="rttMs"/> null means unanswered.</summary>
    public void Record(double? rttMs, string? error, int downAfterFailedProbes)
    {
        Probes++;
        _recent.Enqueue(rttMs is not null);
        while (_recent.Count > LossWindow)
        {
            _recent.Dequeue();
        }

        if (rttMs is { } rtt)
        {
            LastRttMs = rtt;
            _jitter.Record(rtt);
            LastError = null;
            ConsecutiveFailures = 0;
            ConsecutiveSuccesses++;
            if (Health != MemberHealth.Down || ConsecutiveSuccesses >= RecoverAfterProbes)
            {
                Health = MemberHealth.Up;
            }

            return;
        }

        LastError = error;
        ConsecutiveSuccesses = 0;
        ConsecutiveFailures++;
        if (ConsecutiveFailures >= downAfterFailedProbes)
        {
            Health = MemberHealth.Down;
        }
        else if (Health != MemberHealth.Down)
        {
            Health = MemberHealth.Degraded;
        }
    }

    /// <summary>
    /// The members whose qdisc should be the teql device: active members not known to be down; when there is none,
    /// backup members not known to be down; when there is none either, every enabled member (nothing is lost by
    /// sending on all of them, and the first answer brings the path back at once).
    /// </summary>
    public static IReadOnlyList<string> SelectCarrying(IReadOnlyList<MemberSpec> members, Func<string, MemberHealth> health)
    {
        var active = members.Where(m => m.AdminState == MemberAdminState.Active && health(m.Interface) != MemberHealth.Down).Select(m => m.Interface).ToList();
        if (active.Count > 0)
        {
            return active;
        }

        var backup = members.Where(m => m.AdminState == MemberAdminState.Backup && health(m.Interface) != MemberHealth.Down).Select(m => m.Interface).ToList();
        if (backup.Count > 0)
        {
            return backup;
        }

        return members.Where(m => m.AdminState != MemberAdminState.Disabled).Select(m => m.Interface).ToList();
    }
}

/// <summary>A teql member's probe state at one moment (see <see cref="TeqlMemberProbe.Snapshot"/>).</summary>
/// <param name="Health">Health so far.</param>
/// <param name="ConsecutiveFailures">Failed probes in a row.</param>
/// <param name="Probes">Probes sent.</param>
/// <param name="LastRttMs">Round-trip time of the last answered probe.</param>
/// <param name="LossPercent">Share of the last probes that went unanswered, in percent.</param>
/// <param name="LastError">Why the last probe failed.</param>
/// <param name="JitterMs">Jitter of the answered probes' round-trip times in ms.</param>
public sealed record TeqlProbeSnapshot(MemberHealth Health, int ConsecutiveFailures, long Probes, double? LastRttMs, double? LossPercent, string? LastError, double? JitterMs);
