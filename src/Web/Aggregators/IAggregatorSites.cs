using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;

namespace Fleet.Web.Aggregators;

/// <summary>
/// An aggregator's sites for the link page (issue 17): the list with each site's link and health, and adding, changing
/// and removing a site as the signed-in user through the commands REST runs (<c>/api/v1/links/{id}/sites</c>). Callers
/// check the operator role; implementations check it again.
/// </summary>
public interface IAggregatorSites
{
    /// <summary>The aggregator's sites by site id; empty when the link is not an aggregator.</summary>
    Task<IReadOnlyList<AggregatorSiteRow>> SitesAsync(Guid aggregatorId, CancellationToken cancellationToken);

    /// <summary>Hosts a site can be added on: every live host but the aggregator's own, by name.</summary>
    Task<IReadOnlyList<SiteHostChoice>> CandidateHostsAsync(Guid aggregatorId, CancellationToken cancellationToken);

    /// <summary>Adds a site on <paramref name="hostId"/> whose link is named <paramref name="name"/>, one path per interface.</summary>
    Task<SiteChange> AddAsync(Guid aggregatorId, Guid hostId, string name, IReadOnlyList<string> interfaces, CancellationToken cancellationToken);

    /// <summary>
    /// Changes a site's paths to one per interface, in order, through the command behind
    /// <c>PUT /api/v1/links/{id}/sites/{siteId}</c>: a path kept keeps its address, weight, rate and tier.
    /// </summary>
    Task<SiteChange> EditAsync(Guid aggregatorId, int siteId, IReadOnlyList<string> interfaces, CancellationToken cancellationToken);

    /// <summary>Removes a site: its link and its entry at the aggregator.</summary>
    Task<SiteChange> RemoveAsync(Guid aggregatorId, int siteId, CancellationToken cancellationToken);

    /// <summary>The aggregator a striper link is a site of; null when it is none's.</summary>
    Task<SiteOf?> SiteOfAsync(Guid linkId, CancellationToken cancellationToken);
}

/// <summary>One site of an aggregator as the link page lists it.</summary>
/// <param name="LinkId">The site's link; null when it is missing (removed by hand from the database).</param>
/// <param name="MembersUp">How many of the site's paths are up, as its agent last reported.</param>
/// <param name="AtAggregator">The site as the aggregator sees it (session, paths, throughput); null when its agent reported none lately.</param>
/// <param name="Interfaces">The site link's members (its uplinks) in order; empty when the link is missing.</param>
public sealed record AggregatorSiteRow(
    int SiteId,
    string Prefix,
    string TunnelAddress,
    Guid? LinkId,
    string? LinkName,
    Guid? HostId,
    string? HostName,
    LinkPhase? Phase,
    int MembersUp,
    int Members,
    AggregatorSiteObservedDto? AtAggregator = null,
    IReadOnlyList<string>? Interfaces = null);

/// <summary>A host offered for a new site.</summary>
public sealed record SiteHostChoice(Guid Id, string Name);

/// <summary>What adding, changing or removing a site gave.</summary>
/// <param name="SiteId">The site added, changed or removed; null when refused.</param>
/// <param name="Refusal">Why not, in sentences with the fields named; null when done.</param>
public sealed record SiteChange(int? SiteId, string? Refusal);

/// <summary>The aggregator a site's link belongs to.</summary>
public sealed record SiteOf(Guid AggregatorId, string AggregatorName, string AggregatorHostName, int SiteId, string Prefix);
