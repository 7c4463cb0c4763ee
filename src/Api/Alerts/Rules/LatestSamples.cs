using System.Collections.Concurrent;
using Fleet.Contracts.Agents;

namespace Fleet.Api.Alerts.Rules;

/// <summary>
/// The newest sample of every member this replica heard (stored here or relayed by another replica through
/// <see cref="Live.LiveFanout"/>), for the threshold and custom rules: the engine reads one entry per member each
/// evaluation instead of querying the samples table for the whole fleet every second. A late resend does not replace a
/// newer sample. Memory follows the fleet: <see cref="Retain"/> drops links that are gone.
/// </summary>
public sealed class LatestSamples
{
    private readonly ConcurrentDictionary<(Guid LinkId, string Member), MemberSample> _latest = new();

    /// <summary>Samples of one host, stored or relayed.</summary>
    public void Record(IReadOnlyList<MemberSample> samples)
    {
        foreach (var sample in samples)
        {
            _latest.AddOrUpdate((sample.LinkId, sample.Member), sample, (_, old) => sample.Time >= old.Time ? sample : old);
        }
    }

    /// <summary>The member's newest sample, or null when none was heard.</summary>
    public MemberSample? Of(Guid linkId, string member) => _latest.TryGetValue((linkId, member), out var sample) ? sample : null;

    /// <summary>Forgets the members of links not in <paramref name="linkIds"/>.</summary>
    public void Retain(IReadOnlySet<Guid> linkIds)
    {
        foreach (var key in _latest.Keys)
        {
            if (!linkIds.Contains(key.LinkId))
            {
                _latest.TryRemove(key, out _);
            }
        }
    }
}
