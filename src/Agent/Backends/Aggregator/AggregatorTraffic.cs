using Fleet.Agent.Backends.Striper;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Striper.Aggregator;
using Fleet.Striper.Engine;

namespace Fleet.Agent.Backends.Aggregator;

/// <summary>
/// An aggregator's snapshot as its link's members show it (docs/aggregator.md, "Watching it"): the socket's interface,
/// with what the aggregator dropped before any site saw it, and per site a session member and one member per path
/// (<see cref="AggregatorSiteMembers"/>), so the sites' traffic is counted once, on their paths, and each site's paths
/// are sampled, stored and charted at the aggregator as a point-to-point link's members are.
/// </summary>
public static class AggregatorTraffic
{
    /// <summary>Every member of the aggregator: the socket (<paramref name="socketInterface"/>) first, then each site's session and paths.</summary>
    public static MemberObservation[] Members(AggregatorSnapshot snapshot, string socketInterface)
    {
        var members = new List<MemberObservation>(1 + (snapshot.Sites.Count * 3))
        {
            new()
            {
                Interface = socketInterface,
                Health = MemberHealth.Up,
                Counters = Dropped(snapshot),
                Detail = Describe(snapshot),
            },
        };
        foreach (var site in snapshot.Sites)
        {
            AddSite(members, site, socketInterface);
        }

        return [.. members];
    }

    /// <summary>
    /// What the aggregator dropped before any site's engine saw it (malformed, unknown sites and sessions, bad path ids),
    /// as errors. The sites' own drops are on their members.
    /// </summary>
    public static MemberCounters Dropped(AggregatorSnapshot snapshot) =>
        new(0, 0, 0, 0, 0, 0, (ulong)(snapshot.Malformed + snapshot.UnknownSite + snapshot.UnknownSession + snapshot.BadPathId));

    /// <summary>"12 sites, 11 with a path up; port 7000".</summary>
    public static string Describe(AggregatorSnapshot snapshot)
    {
        var up = 0;
        foreach (var site in snapshot.Sites)
        {
            foreach (var path in site.Link.Paths)
            {
                if (path.Health == MemberHealth.Up)
                {
                    up++;
                    break;
                }
            }
        }

        var sites = snapshot.Sites.Count == 1 ? "1 site" : $"{snapshot.Sites.Count} sites";
        return $"{sites}, {up} with a path up; port {snapshot.Port}";
    }

    /// <summary>
    /// A site's session member (Up while established; the packets it sent from a source not its own as errors) and its
    /// paths. A name that would be the socket's own interface is left out rather than mixed with it.
    /// </summary>
    private static void AddSite(List<MemberObservation> members, AggregatorSiteSnapshot site, string socketInterface)
    {
        var link = site.Link;
        var session = AggregatorSiteMembers.Session(site.Id);
        if (session != socketInterface)
        {
            members.Add(new MemberObservation
            {
                Interface = session,
                Health = link.SessionEstablished ? MemberHealth.Up : MemberHealth.Down,
                Counters = new MemberCounters(0, 0, 0, 0, 0, 0, (ulong)(site.ForeignSource + site.LinkScoped)),
                Detail = link.SessionEstablished ? $"site {site.Id}: session established ({link.Sessions} since start)" : $"site {site.Id}: no session",
            });
        }

        foreach (var path in link.Paths)
        {
            var name = AggregatorSiteMembers.Path(site.Id, path.Index);
            if (name != socketInterface)
            {
                members.Add(Path(name, path, link));
            }
        }
    }

    private static MemberObservation Path(string name, PathSnapshot path, StriperSnapshot link) => new()
    {
        Interface = name,
        Health = path.Health,
        Counters = StriperPathCounters.Of(path),
        ReorderDepth = (int)link.ReorderDepth,
        ReorderDepthMax = (int)link.ReorderDepthMax,
        RttMs = path.SrttMs,
        LossPercent = path.SrttMs is null ? null : path.LossPercent,
        JitterMs = path.JitterMs,
        Detail = $"{path.HealthReason}; peer {path.Peer ?? "not known yet"}",
    };
}
