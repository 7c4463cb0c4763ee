using Fleet.Agent.Reconciliation;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Sampling;

/// <summary>
/// Reports striper members' tier and idle reason (issue 13) when a member is first observed and whenever either
/// changes: the Api keeps the latest on the member, so sending them with every sample would only cost bytes.
/// </summary>
public sealed class MemberStateSampler
{
    private readonly Dictionary<(Guid Link, string Member), (LinkTier Tier, string? IdleReason)> _last = [];

    /// <summary>The states that are new or changed at <paramref name="now"/>; members no longer observed are forgotten.</summary>
    public IReadOnlyList<MemberState> Sample(DateTimeOffset now, IReadOnlyList<ObservedLink> links)
    {
        now = MemberSampler.WholeMilliseconds(now);
        var changed = new List<MemberState>();
        var seen = new HashSet<(Guid, string)>();
        foreach (var link in links)
        {
            foreach (var member in link.Observation.Members)
            {
                if (member.Tier is not { } tier)
                {
                    continue;
                }

                var key = (link.LinkId, member.Interface);
                seen.Add(key);
                if (!_last.TryGetValue(key, out var last) || last.Tier != tier || last.IdleReason != member.IdleReason)
                {
                    _last[key] = (tier, member.IdleReason);
                    changed.Add(new MemberState { LinkId = link.LinkId, Member = member.Interface, Time = now, Tier = tier, IdleReason = member.IdleReason });
                }
            }
        }

        if (_last.Count > seen.Count)
        {
            foreach (var key in _last.Keys.Where(key => !seen.Contains(key)).ToList())
            {
                _last.Remove(key);
            }
        }

        return changed;
    }
}
