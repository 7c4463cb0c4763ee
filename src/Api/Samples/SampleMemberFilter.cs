using Fleet.Api.Data.Entities;
using Fleet.Contracts.Links.Aggregators;

namespace Fleet.Api.Samples;

/// <summary>
/// Which members of a link a sample query reads, applied in the database: every member, one by name, one aggregator
/// site's (its session <c>s{id}</c> and paths <c>s{id}.{path}</c>, <see cref="AggregatorSiteMembers"/>), or named members
/// only (an aggregator's own, without its sites). The one rule behind REST's <c>member=</c> and <c>site=</c> and the link
/// page's charts (docs/aggregator.md, "Watching it").
/// </summary>
public sealed record SampleMemberFilter
{
    /// <summary>Every member.</summary>
    public static SampleMemberFilter All { get; } = new();

    /// <summary>One member by name; null for any.</summary>
    public string? Member { get; init; }

    /// <summary>One aggregator site's members; null for any.</summary>
    public int? SiteId { get; init; }

    /// <summary>Only these members; null for any.</summary>
    public IReadOnlyList<string>? Named { get; init; }

    /// <summary>Not these members; null for none.</summary>
    public IReadOnlyList<string>? Except { get; init; }

    /// <summary>Only every site's path members (what an aggregator's traffic is counted on).</summary>
    public bool SitePaths { get; init; }

    /// <summary>One site's session and paths.</summary>
    public static SampleMemberFilter Site(int siteId) => new() { SiteId = siteId };

    /// <summary>Narrows <paramref name="rows"/> to the members this filter selects.</summary>
    public IQueryable<T> Apply<T>(IQueryable<T> rows)
        where T : class, IMemberRow
    {
        if (Member is { } member)
        {
            rows = rows.Where(r => r.Member == member);
        }

        if (SiteId is { } siteId)
        {
            var session = AggregatorSiteMembers.Session(siteId);
            var prefix = AggregatorSiteMembers.PathPrefix(siteId);
            rows = rows.Where(r => r.Member == session || r.Member.StartsWith(prefix));
        }

        if (Named is { } named)
        {
            rows = rows.Where(r => named.Contains(r.Member));
        }

        if (Except is { } except)
        {
            rows = rows.Where(r => !except.Contains(r.Member));
        }

        if (SitePaths)
        {
            // "s{id}.{path}": an 's' and a dot. An aggregator's samples hold no other such name but, at most, its socket's
            // interface (AggregatorTraffic never lets a site's name shadow it), which a caller leaves out with Except.
            // StartsWith and Contains rather than LIKE: the live hub runs the same query over samples in memory
            // (AggregatorSitesSeries.Live), where EF.Functions cannot run.
#pragma warning disable CA1866, CA1847 // the string overloads are the ones both database providers translate
            rows = rows.Where(r => r.Member.StartsWith("s") && r.Member.Contains("."));
#pragma warning restore CA1866, CA1847
        }

        return rows;
    }
}
