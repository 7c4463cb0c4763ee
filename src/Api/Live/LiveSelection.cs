using Fleet.Api.Dashboard;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Live;

namespace Fleet.Api.Live;

/// <summary>
/// What a link subscription with a <see cref="LiveLinkView"/> is sent of the link's samples (docs/agent.md, "Live hub"):
/// the link's own members, one site's (<see cref="AggregatorSiteMembers"/>), and the sites' sum per sampling round
/// (<see cref="AggregatorSitesSeries.Live"/>, the database's rule). An aggregator page draws one of those, so the
/// hub sends it that instead of every site's members.
/// </summary>
internal static class LiveSelection
{
    /// <summary>Whether <paramref name="view"/> takes the samples of <paramref name="member"/>.</summary>
    public static bool Selects(LiveLinkView view, IReadOnlySet<string> ownMembers, string member) =>
        (view.Own && ownMembers.Contains(member))
        || (view.Site is { } site && AggregatorSiteMembers.TryParse(member, out var siteId, out _) && siteId == site);

    /// <summary>
    /// The samples <paramref name="view"/> takes of <paramref name="samples"/>, followed by <paramref name="sums"/> when it
    /// wants the sites' sum.
    /// </summary>
    public static List<MemberSample> Select(LiveLinkView view, IReadOnlySet<string> ownMembers, IReadOnlyList<MemberSample> samples, IReadOnlyList<MemberSample> sums)
    {
        var selected = new List<MemberSample>();
        if (view.Own || view.Site is not null)
        {
            foreach (var sample in samples)
            {
                if (Selects(view, ownMembers, sample.Member))
                {
                    selected.Add(sample);
                }
            }
        }

        if (view.AllSites)
        {
            selected.AddRange(sums);
        }

        return selected;
    }

    /// <summary>The sites' sums of the sampling rounds <paramref name="samples"/> belong to, from every sample of those rounds the feed holds.</summary>
    public static IReadOnlyList<MemberSample> SumsOfRounds(LinkFeed feed, IReadOnlyList<MemberSample> samples)
    {
        var times = new HashSet<DateTimeOffset>();
        foreach (var sample in samples)
        {
            times.Add(sample.Time);
        }

        // A round larger than the agent's batch arrives in several batches: each one sends the round's sum so far, and the
        // browser replaces the point it holds for that time.
        return AggregatorSitesSeries.Live(feed.LinkId, feed.Ring.At(times), feed.OwnMembers.ToList());
    }
}
