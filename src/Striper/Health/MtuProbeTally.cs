using System.Numerics;
using Fleet.Striper.Paths;

namespace Fleet.Striper.Health;

/// <summary>
/// One path's MTU probes (docs/striper-protocol.md, "MTU probes"): every interval a round of two, a small probe and
/// one padded to the link's largest datagram, both with don't-fragment, and what became of each over the last
/// <see cref="Window"/> rounds. Far more full-size probes lost than small ones is a black hole for large packets: a
/// hop with a smaller MTU whose ICMP "fragmentation needed" does not come back (RFC 1191, RFC 8201). The control
/// thread starts rounds and reports sends; the receiving thread reports answers.
/// </summary>
internal sealed class MtuProbeTally
{
    /// <summary>Rounds the loss percentages look back on.</summary>
    public const int Window = 8;

    /// <summary>Rounds settled before a percentage is given (fewer say too little).</summary>
    public const int MinimumRounds = 3;

    private readonly Lock _lock = new();
    private uint _round;
    private bool _smallPending;
    private bool _largePending;
    private Outcomes _small;
    private Outcomes _large;

    /// <summary>When the next round is due (control thread, seconds of the monotonic clock).</summary>
    public double NextDueSeconds { get; set; }

    /// <summary>Probes sent (the kernel took them, or refused a full-size one as too big) and probes lost, since the engine started.</summary>
    public long SmallSent => Read(ref _small.Sent);

    /// <inheritdoc cref="SmallSent"/>
    public long SmallLost => Read(ref _small.Lost);

    /// <inheritdoc cref="SmallSent"/>
    public long LargeSent => Read(ref _large.Sent);

    /// <inheritdoc cref="SmallSent"/>
    public long LargeLost => Read(ref _large.Lost);

    /// <summary>Full-size probes this host's kernel refused (EMSGSIZE): the local interface or a learnt path MTU is smaller.</summary>
    public long LargeTooBig
    {
        get
        {
            lock (_lock)
            {
                return _large.TooBig;
            }
        }
    }

    /// <summary>Small probes lost of the last <see cref="Window"/> settled rounds, percent; null before <see cref="MinimumRounds"/>.</summary>
    public double? SmallLossPercent => Percent(ref _small);

    /// <summary>Full-size probes lost of the last <see cref="Window"/> settled rounds, percent; null before <see cref="MinimumRounds"/>.</summary>
    public double? LargeLossPercent => Percent(ref _large);

    /// <summary>
    /// Starts a round: a probe of the previous one still unanswered is lost. Returns the round's sequence (never 0).
    /// Both probes of the round await their answer from here on, before they are sent: on a short path the answer to
    /// the first can arrive while the second is being sent.
    /// </summary>
    public uint BeginRound()
    {
        lock (_lock)
        {
            Settle(ref _smallPending, ref _small);
            Settle(ref _largePending, ref _large);
            _round = _round == uint.MaxValue ? 1 : _round + 1;
            _smallPending = true;
            _largePending = true;
            return _round;
        }
    }

    /// <summary>
    /// How the send of this round's probe went. A refusal for its size (EMSGSIZE) is a loss of that probe; any other
    /// failure (a full buffer, the link down) says nothing about the MTU and is not counted.
    /// </summary>
    public void OnSent(bool large, SendResult result)
    {
        lock (_lock)
        {
            ref var outcomes = ref large ? ref _large : ref _small;
            ref var pending = ref large ? ref _largePending : ref _smallPending;
            switch (result)
            {
                case SendResult.Sent:
                    outcomes.Sent++;
                    break;
                case SendResult.TooBig:
                    outcomes.Sent++;
                    outcomes.TooBig++;
                    pending = false;
                    outcomes.Record(lost: true);
                    break;
                case SendResult.BufferFull:
                case SendResult.LinkDown:
                case SendResult.NoPeer:
                case SendResult.Failed:
                    pending = false;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(result), result, null);
            }
        }
    }

    /// <summary>The peer answered probe <paramref name="sequence"/> of the given size; an answer to an older round comes too late and is ignored.</summary>
    public void OnAnswer(uint sequence, bool large)
    {
        lock (_lock)
        {
            ref var pending = ref large ? ref _largePending : ref _smallPending;
            if (sequence == _round && pending)
            {
                pending = false;
                (large ? ref _large : ref _small).Record(lost: false);
            }
        }
    }

    /// <summary>A new session: probes of the old one can no longer be answered, and are not counted.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _smallPending = false;
            _largePending = false;
        }
    }

    private static void Settle(ref bool pending, ref Outcomes outcomes)
    {
        if (pending)
        {
            pending = false;
            outcomes.Record(lost: true);
        }
    }

    private long Read(ref long field)
    {
        lock (_lock)
        {
            return field;
        }
    }

    private double? Percent(ref Outcomes outcomes)
    {
        lock (_lock)
        {
            var rounds = (int)Math.Min(outcomes.Settled, Window);
            return rounds < MinimumRounds ? null : 100.0 * BitOperations.PopCount(outcomes.History & ((1u << rounds) - 1)) / rounds;
        }
    }

    private struct Outcomes
    {
        public long Sent;
        public long Lost;
        public long TooBig;
        public long Settled;

        /// <summary>Bit i: the i-th most recent settled probe was lost.</summary>
        public uint History;

        public void Record(bool lost)
        {
            History = (History << 1) | (lost ? 1u : 0u);
            Settled++;
            Lost += lost ? 1 : 0;
        }
    }
}
