using System.Collections.Frozen;
using System.Net;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// The sites in force, as the workers read them: by id (hellos), by inner prefix (routing and the source check), and
/// all of them (housekeeping). Immutable: a change of sites makes a new one with the next generation.
/// </summary>
internal sealed class AggregatorSites
{
    private AggregatorSites(long generation, AggregatorSite[] all)
    {
        Generation = generation;
        All = all;
        ById = all.ToFrozenDictionary(s => s.Id);
        Prefixes = PrefixTable<AggregatorSite>.Build(all.SelectMany(s => s.Spec.Prefixes.Select(p => (IPNetwork.Parse(p), s))));
    }

    public static AggregatorSites Empty { get; } = new(0, []);

    public long Generation { get; }

    public AggregatorSite[] All { get; }

    public FrozenDictionary<uint, AggregatorSite> ById { get; }

    public PrefixTable<AggregatorSite> Prefixes { get; }

    public AggregatorSites Next(AggregatorSite[] all) => new(Generation + 1, all);
}
