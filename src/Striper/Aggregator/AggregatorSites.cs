using System.Collections.Frozen;
using System.Net;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// The sites in force, as the workers read them: by id (hellos), by inner prefix (routing and the source check), and
/// all of them (control rounds), and per lane (each receive worker's housekeeping). Immutable: a change of sites makes a new one with the next generation.
/// </summary>
internal sealed class AggregatorSites
{
    private AggregatorSites(long generation, AggregatorSite[] all, int workers)
    {
        Generation = generation;
        All = all;
        ByWorker = new AggregatorSite[workers][];
        for (var i = 0; i < workers; i++)
        {
            var worker = i;
            ByWorker[i] = [.. all.Where(s => s.Worker == worker)];
        }

        ById = all.ToFrozenDictionary(s => s.Id);
        Prefixes = PrefixTable<AggregatorSite>.Build(all.SelectMany(s => s.Spec.Prefixes.Select(p => (IPNetwork.Parse(p), s))));
    }

    public static AggregatorSites Empty(int workers) => new(0, [], workers);

    public long Generation { get; }

    public AggregatorSite[] All { get; }

    /// <summary>Per lane, the sites pinned to it (<see cref="AggregatorSite.Worker"/>).</summary>
    public AggregatorSite[][] ByWorker { get; }

    public FrozenDictionary<uint, AggregatorSite> ById { get; }

    public PrefixTable<AggregatorSite> Prefixes { get; }

    public AggregatorSites Next(AggregatorSite[] all) => new(Generation + 1, all, ByWorker.Length);
}
