using System.Collections.Concurrent;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// Which site's session a session tag belongs to. A tag is derived from the session's secret and the aggregator's own
/// random (docs/striper-protocol.md, "Keys and rekeying"), so two sites' sessions may draw the same one (about once in
/// 2³² handshakes per site): a session whose tag is taken is refused and the handshake runs again with a fresh random,
/// so every tag routes to exactly one site. With several workers, a tag must also land on the site's worker
/// (<see cref="WorkerSteering"/>); a session whose tag does not is refused the same way (docs/striper-protocol.md, "Aggregator").
/// </summary>
/// <param name="workers">How many receive workers the aggregator runs.</param>
internal sealed class SessionTags(int workers = 1)
{
    private readonly ConcurrentDictionary<uint, AggregatorSite> _sites = new();
    private readonly Lock _lock = new();

    /// <summary>Sessions refused because their tag was taken.</summary>
    public long Collisions { get; private set; }

    /// <summary>Sessions refused because their tag would land on another worker than the site's.</summary>
    public long Redraws { get; private set; }

    public int Count => _sites.Count;

    /// <summary>The site whose session in force has receive tag <paramref name="tag"/>, or null. Lock-free.</summary>
    public AggregatorSite? Find(uint tag) => _sites.TryGetValue(tag, out var site) ? site : null;

    /// <summary>
    /// Makes <paramref name="tag"/> <paramref name="site"/>'s (its previous tag is released); false when another site
    /// holds it or when the kernel would deliver it to another worker than the site's.
    /// </summary>
    public bool TryClaim(AggregatorSite site, uint tag)
    {
        lock (_lock)
        {
            if (site.Removed)
            {
                return false;
            }

            if (WorkerSteering.WorkerOf(tag, workers) != site.Worker)
            {
                Redraws++;
                return false;
            }

            if (_sites.TryGetValue(tag, out var holder) && !ReferenceEquals(holder, site))
            {
                Collisions++;
                return false;
            }

            if (site.Tag != 0 && site.Tag != tag)
            {
                _sites.TryRemove(new KeyValuePair<uint, AggregatorSite>(site.Tag, site));
            }

            _sites[tag] = site;
            site.Tag = tag;
            return true;
        }
    }

    /// <summary>Forgets <paramref name="site"/>'s tag for good: the site is being removed, and claims no tag again.</summary>
    public void Release(AggregatorSite site)
    {
        lock (_lock)
        {
            site.Removed = true;
            if (site.Tag != 0)
            {
                _sites.TryRemove(new KeyValuePair<uint, AggregatorSite>(site.Tag, site));
                site.Tag = 0;
            }
        }
    }
}
