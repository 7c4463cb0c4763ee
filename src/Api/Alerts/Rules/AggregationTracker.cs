using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Api.Alerts.Rules;

/// <summary>
/// The <c>aggregation_lost</c> rule's memory (docs/alerts.md, "Rules"): per member, its throughput now (transmitted and
/// received bytes per second, smoothed over about <see cref="AggregationRuleOptions.Smoothing"/>) and the most it
/// carried recently (the largest smoothed value in each minute of <see cref="AggregationRuleOptions.Window"/>). A link
/// has lost its aggregation when, while its busiest member runs near what it carried recently (there is demand), the
/// link carries less than <see cref="AggregationRuleOptions.Share"/> of the sum of what its members carried recently:
/// traffic that used to spread over the members now stays on a few (a scheduler switched to active-backup, a member
/// left out of the hash). Fixed memory per member; each evaluation is O(members). Not thread-safe: the evaluator owns it.
/// </summary>
public sealed class AggregationTracker(AggregationRuleOptions options)
{
    private readonly Dictionary<(Guid Link, string Member), Member> _members = [];
    private readonly int _minutes = Math.Max(1, (int)Math.Ceiling(options.Window.TotalMinutes));

    /// <summary>The link's condition now, or null when it holds not; learns each member's newest sample on the way.</summary>
    public (double NowBitsPerSecond, double RecentBitsPerSecond)? Observe(ObservedLink link, DateTimeOffset freshSince, DateTimeOffset now)
    {
        var minute = now.ToUnixTimeSeconds() / 60;
        double current = 0, recent = 0;
        var carrying = 0;
        var demand = false;
        foreach (var observed in link.Members)
        {
            if (observed.AdminState == MemberAdminState.Disabled)
            {
                continue;
            }

            var key = (link.Id, observed.Interface);
            if (!_members.TryGetValue(key, out var member))
            {
                member = new Member(_minutes);
                _members[key] = member;
            }

            if (observed.Latest is { } sample && sample.Time >= freshSince)
            {
                member.Learn(sample, options.Smoothing, minute);
            }
            else
            {
                member.Idle(minute);
            }

            var peak = member.Peak(minute);
            current += member.Rate;
            recent += peak;
            carrying += peak >= options.MinMemberBitsPerSecond / 8 ? 1 : 0;
            demand |= peak > 0 && member.Rate >= options.DemandShare * peak;
        }

        return carrying >= 2 && demand && current < options.Share * recent ? (current * 8, recent * 8) : null;
    }

    /// <summary>Forgets links not seen in the last evaluation's observation.</summary>
    public void Retain(IReadOnlySet<Guid> links)
    {
        foreach (var key in _members.Keys.Where(k => !links.Contains(k.Link)).ToList())
        {
            _members.Remove(key);
        }
    }

    private sealed class Member(int minutes)
    {
        private readonly double[] _peaks = new double[minutes];
        private readonly long[] _minuteOf = new long[minutes];
        private DateTimeOffset _lastSample;

        /// <summary>Smoothed bytes per second.</summary>
        public double Rate { get; private set; }

        public void Learn(MemberSample sample, TimeSpan smoothing, long minute)
        {
            if (sample.Time <= _lastSample || sample.IntervalMs <= 0)
            {
                Note(minute);
                return;
            }

            _lastSample = sample.Time;
            var rate = (sample.TxBytes + sample.RxBytes) * 1000.0 / sample.IntervalMs;

            // Exponential smoothing with the sample's own length, so agents' sampling intervals do not change the result.
            var weight = 1 - Math.Exp(-sample.IntervalMs / smoothing.TotalMilliseconds);
            Rate += weight * (rate - Rate);
            Note(minute);
        }

        /// <summary>No fresh sample: the member carries nothing now.</summary>
        public void Idle(long minute)
        {
            Rate = 0;
            Note(minute);
        }

        public double Peak(long minute)
        {
            var peak = 0.0;
            for (var i = 0; i < _peaks.Length; i++)
            {
                if (minute - _minuteOf[i] < _peaks.Length)
                {
                    peak = Math.Max(peak, _peaks[i]);
                }
            }

            return peak;
        }

        private void Note(long minute)
        {
            var slot = (int)(minute % _peaks.Length);
            if (_minuteOf[slot] != minute)
            {
                _minuteOf[slot] = minute;
                _peaks[slot] = 0;
            }

            _peaks[slot] = Math.Max(_peaks[slot], Rate);
        }
    }
}
