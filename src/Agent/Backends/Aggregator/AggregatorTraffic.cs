using Fleet.Agent.Backends.Striper;
using Fleet.Contracts.Links;
using Fleet.Striper.Aggregator;

namespace Fleet.Agent.Backends.Aggregator;

/// <summary>
/// An aggregator's snapshot as its link's one member shows it: the sum of every site's paths (what its socket carries),
/// and how many sites have a path up.
/// </summary>
public static class AggregatorTraffic
{
    /// <summary>
    /// Every site's paths' counters summed, plus what the aggregator dropped before any site saw it (malformed, unknown
    /// sites and sessions, bad path ids) as errors. A site removed takes its counters with it, so the sum can fall; the
    /// agent's sampler treats a fall as a counter reset.
    /// </summary>
    public static MemberCounters Sum(AggregatorSnapshot snapshot)
    {
        ulong txBytes = 0, rxBytes = 0, txPackets = 0, rxPackets = 0, txDrops = 0, rxDrops = 0;
        var errors = (ulong)(snapshot.Malformed + snapshot.UnknownSite + snapshot.UnknownSession + snapshot.BadPathId);
        foreach (var site in snapshot.Sites)
        {
            errors += (ulong)site.ForeignSource;
            foreach (var path in site.Link.Paths)
            {
                var c = StriperPathCounters.Of(path);
                txBytes += c.TxBytes;
                rxBytes += c.RxBytes;
                txPackets += c.TxPackets;
                rxPackets += c.RxPackets;
                txDrops += c.TxDrops;
                rxDrops += c.RxDrops;
                errors += c.Errors;
            }
        }

        return new MemberCounters(txBytes, rxBytes, txPackets, rxPackets, txDrops, rxDrops, errors);
    }

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
}
