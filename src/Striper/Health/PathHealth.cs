using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Striper.Health;

/// <summary>Thresholds of the path state machine.</summary>
/// <param name="ProbeIntervalSeconds">Regular probe interval.</param>
/// <param name="DownAfterMissedProbes">Consecutive missed probes that take a path down.</param>
/// <param name="UpAfterProbes">Consecutive answered probes that bring a down path back (hysteresis).</param>
/// <param name="DegradedLossRatio">Loss (0..1) reported by the receiver above which a path counts as degraded.</param>
public sealed record HealthThresholds(
    double ProbeIntervalSeconds = 0.1,
    int DownAfterMissedProbes = 3,
    int UpAfterProbes = 3,
    double DegradedLossRatio = 0.2);

/// <summary>
/// Health of one path from its probes (docs/striper-protocol.md, "Health"): Unknown until the first answer; Up while probes are
/// answered; Degraded after one missed probe, a silence the receiver reported, or loss above the threshold; Down after
/// <see cref="HealthThresholds.DownAfterMissedProbes"/> misses in a row or when the local link is down; back Up only
/// after <see cref="HealthThresholds.UpAfterProbes"/> answers in a row; Down with "no answer from peer" when it stayed
/// Unknown for the no-answer timeout (<see cref="CheckNoAnswer"/>: no session, so no probe to miss). A probe is missed when no answer came within
/// an RTO-like timeout (srtt + 4·rttvar, RFC 6298), so a path that dies silently, with its local link still up, is
/// caught as surely as a link-down; after a miss the next probe goes out at once instead of a full interval later.
/// Single-threaded: the control loop owns it (the receive loop hands answers over under the path's lock).
/// </summary>
public sealed class PathHealth
{
    /// <summary>The reason of a path that never heard from its peer (<see cref="CheckNoAnswer"/>).</summary>
    public const string NoAnswerReason = "no answer from peer";

    private const int MaxOutstanding = 16;
    private const double MinTimeoutSeconds = 0.030;
    private const double MaxTimeoutSeconds = 2.0;
    private readonly (uint Id, double SentAt, bool Live, bool Missed)[] _outstanding = new (uint, double, bool, bool)[MaxOutstanding];
    private HealthThresholds _thresholds;
    private int _misses;
    private int _answers;
    private uint _nextId = 1;
    private bool _localUp = true;
    private bool _degradedByLoss;

    // Since when the path waits for its first answer (control-loop seconds); NaN until the first check starts the clock.
    private double _waitingSince = double.NaN;

    // The state is Degraded/Down only because of probe timeouts (not loss, link or a report): a late answer undoes it.
    private bool _missedOnly;
    private double _lossRatio;
    private readonly double[] _minRttWindow = new double[32];
    private int _minRttIndex;
    private JitterEstimator _jitter;

    public PathHealth(HealthThresholds thresholds)
    {
        _thresholds = thresholds;
    }

    /// <summary>The path's state.</summary>
    public MemberHealth State { get; private set; } = MemberHealth.Unknown;

    /// <summary>When <see cref="State"/> last changed (control-loop seconds).</summary>
    public double StateSince { get; private set; }

    /// <summary>Why the state is what it is ("3 probes missed", "link down").</summary>
    public string Reason { get; private set; } = "no answer yet";

    /// <summary>Smoothed RTT in seconds (0 until measured).</summary>
    public double SrttSeconds { get; private set; }

    /// <summary>RTT variation in seconds.</summary>
    public double RttVarSeconds { get; private set; }

    /// <summary>Smallest RTT among the last 32 samples.</summary>
    public double MinRttSeconds { get; private set; }

    /// <summary>Jitter of the probe RTTs in milliseconds (docs/striper-protocol.md, "Health"); null before two answers.</summary>
    public double? JitterMs => _jitter.JitterMs;

    /// <summary>When the next probe is due.</summary>
    public double NextProbeDue { get; private set; }

    public long ProbesSent { get; private set; }

    public long ProbesAnswered { get; private set; }

    public long ProbesMissed { get; private set; }

    /// <summary>
    /// Times the state left Up (to Degraded or Down) for any reason: a missed probe, a reported silence, loss, the link.
    /// Each such time the path stops carrying striped data until it is Up again.
    /// </summary>
    public long TimesLeftUp { get; private set; }

    /// <summary>Time after which an unanswered probe counts as missed.</summary>
    public double ProbeTimeoutSeconds => SrttSeconds <= 0
        ? Math.Max(_thresholds.ProbeIntervalSeconds, 0.2)
        : Math.Clamp(SrttSeconds + (4 * RttVarSeconds) + 0.002, MinTimeoutSeconds, MaxTimeoutSeconds);

    /// <summary>
    /// The receiver's latest answer showed a standing queue at the path's bottleneck (the path is full). Its queue drops
    /// packets at the tail, a probe now and then among them: then one missed probe is expected; the path is
    /// degraded as any miss does (a dead path must leave within a few hundred milliseconds), but one answer to the next
    /// probe brings it back instead of two.
    /// </summary>
    public bool Queueing { get; set; }

    public void UpdateThresholds(HealthThresholds thresholds) => _thresholds = thresholds;

    /// <summary>Records a probe sent now and returns its id.</summary>
    public uint OnProbeSent(double now)
    {
        var id = _nextId++;
        var slot = (int)(id % MaxOutstanding);
        if (_outstanding[slot].Live)
        {
            Missed(now);
        }

        _outstanding[slot] = (id, now, true, false);
        ProbesSent++;
        NextProbeDue = now + _thresholds.ProbeIntervalSeconds;
        return id;
    }

    /// <summary>An answer to probe <paramref name="id"/> arrived; <paramref name="rttSeconds"/> excludes the peer's answering delay.</summary>
    public void OnAnswer(uint id, double rttSeconds, double now)
    {
        var slot = (int)(id % MaxOutstanding);
        var spurious = false;
        if (_outstanding[slot].Id == id)
        {
            spurious = _outstanding[slot].Missed;
            _outstanding[slot].Live = false;
            _outstanding[slot].Missed = false;
        }
        else if (id >= _nextId)
        {
            return; // never sent: not ours
        }

        ProbesAnswered++;
        if (rttSeconds is > 0 and < 60)
        {
            if (SrttSeconds <= 0)
            {
                SrttSeconds = rttSeconds;
                RttVarSeconds = rttSeconds / 2;
            }
            else
            {
                RttVarSeconds = (0.75 * RttVarSeconds) + (0.25 * Math.Abs(SrttSeconds - rttSeconds));
                SrttSeconds = (0.875 * SrttSeconds) + (0.125 * rttSeconds);
            }

            _jitter.Record(rttSeconds * 1000);
            _minRttWindow[_minRttIndex++ % _minRttWindow.Length] = rttSeconds;
            var min = double.MaxValue;
            foreach (var sample in _minRttWindow)
            {
                if (sample > 0 && sample < min)
                {
                    min = sample;
                }
            }

            MinRttSeconds = min;
        }

        var misses = _misses;
        _misses = 0;
        _answers++;
        if (!_localUp)
        {
            return;
        }

        var lossy = _lossRatio > _thresholds.DegradedLossRatio;
        if (spurious && _missedOnly && State != MemberHealth.Up && !lossy)
        {
            // The "missed" probe was only late: the timeout was too short (the RTT sample just raised it). Undo.
            Set(MemberHealth.Up, "late answer: probe was delayed, not lost", now);
            return;
        }

        if (State == MemberHealth.Degraded && _missedOnly && misses <= 1 && Queueing && !lossy)
        {
            // One probe lost at a full queue, and the next one answered: the path works.
            Set(MemberHealth.Up, "probe answered: one probe lost at a full queue", now);
            return;
        }

        switch (State)
        {
            case MemberHealth.Unknown:
                Set(lossy ? MemberHealth.Degraded : MemberHealth.Up, lossy ? "loss above threshold" : "probes answered", now);
                break;
            case MemberHealth.Down when _answers >= _thresholds.UpAfterProbes:
                Set(lossy ? MemberHealth.Degraded : MemberHealth.Up, $"{_answers} probes answered", now);
                break;
            case MemberHealth.Degraded when !lossy && _answers >= Math.Min(2, _thresholds.UpAfterProbes):
                Set(MemberHealth.Up, "probes answered", now);
                break;
            case MemberHealth.Degraded when !lossy:
                // Confirm at once rather than a probe interval later: a degraded path carries (almost) nothing, so a
                // false alarm (a silence report on a loaded host, a lost probe) should cost round trips, not 100 ms.
                NextProbeDue = Math.Min(NextProbeDue, now);
                break;
        }
    }

    /// <summary>The receiver's loss ratio for this path changed.</summary>
    public void OnLoss(double lossRatio, double now)
    {
        _lossRatio = lossRatio;
        if (State == MemberHealth.Up && lossRatio > _thresholds.DegradedLossRatio)
        {
            _degradedByLoss = true;
            Set(MemberHealth.Degraded, $"loss {lossRatio:P0}", now);
        }
        else if (State == MemberHealth.Degraded && _degradedByLoss && _misses == 0 && lossRatio < _thresholds.DegradedLossRatio / 2)
        {
            // Hysteresis: back up once loss is well below the threshold (and probes are answered).
            _degradedByLoss = false;
            Set(MemberHealth.Up, "loss recovered", now);
        }
    }

    /// <summary>The local link's state (carrier, or a send that failed with ENETDOWN and kin).</summary>
    public void OnLocalLink(bool up, double now)
    {
        if (up == _localUp)
        {
            return;
        }

        _localUp = up;
        _answers = 0;
        if (!up)
        {
            Set(MemberHealth.Down, "local link down", now);
        }
    }

    /// <summary>
    /// A new session began (the peer restarted): what the path's state says was learned from the previous peer
    /// process — a listener may even still be sending to that process's old address. Unknown again (used only while
    /// no path is Up) until the first answer in the new session; probed at once. A local link that is down stays Down.
    /// </summary>
    public void OnNewSession(double now)
    {
        for (var i = 0; i < _outstanding.Length; i++)
        {
            _outstanding[i].Live = false;
            _outstanding[i].Missed = false;
        }

        _misses = 0;
        _answers = 0;
        _lossRatio = 0;
        NextProbeDue = now;
        _waitingSince = now;
        if (_localUp && State != MemberHealth.Unknown)
        {
            Set(MemberHealth.Unknown, "new session: no answer yet", now);
        }
    }

    /// <summary>
    /// A path that has heard nothing from its peer since it started (or since the last new session) for
    /// <paramref name="timeoutSeconds"/> is Down, "no answer from peer". Without a session no probe goes out, so no
    /// probe can be missed: a pair whose ends cannot reach each other (both dial and neither listens, a wrong port or
    /// key, a peer that is not running) would otherwise say Unknown forever while nothing crosses. Call on every
    /// control tick for a path that expects its peer; an answer later brings it up as from any Down.
    /// </summary>
    public void CheckNoAnswer(double now, double timeoutSeconds)
    {
        if (double.IsNaN(_waitingSince))
        {
            _waitingSince = now;
        }

        if (State == MemberHealth.Unknown && _localUp && now - _waitingSince >= timeoutSeconds)
        {
            Set(MemberHealth.Down, NoAnswerReason, now);
        }
    }

    /// <summary>The path expects nothing from its peer now (disabled): the no-answer clock starts again when it does.</summary>
    public void PauseNoAnswer() => _waitingSince = double.NaN;

    /// <summary>Something suggests the path went silent: probe again at once.</summary>
    public void OnSuspect(double now) => NextProbeDue = Math.Min(NextProbeDue, now);

    /// <summary>
    /// The receiver saw this path fall silent while other paths kept delivering packets sent later: data-plane
    /// evidence, faster than waiting for a probe to time out on a loaded path. Degraded at once, probed at once; two
    /// answered probes clear a false alarm.
    /// </summary>
    public void OnStallReported(double now)
    {
        if (State == MemberHealth.Up)
        {
            _answers = 0;
            Set(MemberHealth.Degraded, "peer reported silence", now);
        }

        OnSuspect(now);
    }

    /// <summary>
    /// This host did not run the control thread for a while (the machine stalled: CPU starvation, a long pause). Answers
    /// that arrived meanwhile may still wait in the socket, unread by a receive thread that stalled too, so a probe whose
    /// timeout passed during the stall proves nothing yet: each outstanding probe gets <paramref name="graceSeconds"/>
    /// from <paramref name="now"/> before it counts as missed. Only that grace, not the stall's length: on a host that
    /// stays slow every tick is late, and a dead path must still be found at the usual pace.
    /// </summary>
    public void OnLocalStall(double now, double graceSeconds)
    {
        var latest = now - ProbeTimeoutSeconds + graceSeconds;
        for (var i = 0; i < _outstanding.Length; i++)
        {
            if (_outstanding[i].Live && _outstanding[i].SentAt < latest)
            {
                _outstanding[i].SentAt = latest;
            }
        }
    }

    /// <summary>Counts probes whose timeout passed; call on every control tick.</summary>
    public void Evaluate(double now)
    {
        var timeout = ProbeTimeoutSeconds;
        for (var i = 0; i < _outstanding.Length; i++)
        {
            if (_outstanding[i].Live && now - _outstanding[i].SentAt > timeout)
            {
                _outstanding[i].Live = false;
                _outstanding[i].Missed = true;
                Missed(now);
            }
        }
    }

    private void Missed(double now)
    {
        ProbesMissed++;
        _misses++;
        _answers = 0;
        if (_misses >= _thresholds.DownAfterMissedProbes)
        {
            if (State != MemberHealth.Down)
            {
                var onlyMisses = State == MemberHealth.Up || _missedOnly;
                Set(MemberHealth.Down, $"{_misses} probes missed", now);
                _missedOnly = onlyMisses && _localUp;
            }
        }
        else if (State == MemberHealth.Up)
        {
            Set(MemberHealth.Degraded, "probe missed", now);
            _missedOnly = true;
        }

        // Confirm quickly, unless the path is already down (then the regular interval watches for its return).
        if (State != MemberHealth.Down)
        {
            NextProbeDue = now;
        }
    }

    private void Set(MemberHealth state, string reason, double now)
    {
        if (state != MemberHealth.Degraded)
        {
            _degradedByLoss = false;
        }

        _missedOnly = false;
        if (State == MemberHealth.Up && state != MemberHealth.Up)
        {
            TimesLeftUp++;
        }

        State = state;
        Reason = reason;
        StateSince = now;
    }
}
