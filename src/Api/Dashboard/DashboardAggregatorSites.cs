using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Api.Links.Aggregators;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Web.Aggregators;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// The link page's door to an aggregator's sites: adds, changes and removes through <see cref="AggregatorSiteCommands"/> (the
/// commands behind <c>/api/v1/links/{id}/sites</c>, which check the operator role and audit) and lists them as REST
/// does, with each site's host and paths up.
/// </summary>
public sealed class DashboardAggregatorSites(FleetDbContext db, AggregatorSiteCommands commands, IHttpContextAccessor http) : IAggregatorSites
{
    public async Task<IReadOnlyList<AggregatorSiteRow>> SitesAsync(Guid aggregatorId, CancellationToken cancellationToken)
    {
        var result = await commands.ListAsync(aggregatorId, cancellationToken);
        return result.Value is { } sites
            ? [.. sites.Select(s => new AggregatorSiteRow(
                s.Entry.Id,
                s.Entry.Prefixes.Count > 0 ? s.Entry.Prefixes[0] : "",
                s.Link?.Spec.Addresses is { Count: > 0 } addresses ? addresses[0] : "",
                s.Link?.Id,
                s.Link?.Name,
                s.Link?.HostId,
                s.Link?.Host?.Name,
                s.Link?.Phase,
                s.Link?.Members.Count(m => m.Health == MemberHealth.Up) ?? 0,
                s.Entry.Paths,
                s.Observed,
                s.Link is { } link ? [.. link.Spec.Members.Select(m => m.Interface)] : []))]
            : [];
    }

    public async Task<IReadOnlyList<SiteHostChoice>> CandidateHostsAsync(Guid aggregatorId, CancellationToken cancellationToken)
    {
        var aggregatorHost = await db.Links.AsNoTracking().Where(l => l.Id == aggregatorId).Select(l => (Guid?)l.HostId).SingleOrDefaultAsync(cancellationToken);
        var hosts = await db.Hosts.AsNoTracking()
            .Where(h => h.DecommissionedAt == null && h.Id != aggregatorHost)
            .Select(h => new SiteHostChoice(h.Id, h.Name)).ToListAsync(cancellationToken);
        return [.. hosts.OrderBy(h => h.Name, StringComparer.Ordinal)];
    }

    public async Task<SiteChange> AddAsync(Guid aggregatorId, Guid hostId, string name, IReadOnlyList<string> interfaces, CancellationToken cancellationToken)
    {
        var request = new CreateAggregatorSiteRequest
        {
            HostId = hostId,
            Name = name,
            Members = [.. interfaces.Select(i => new AggregatorSiteMember { Interface = i })],
        };
        var result = await commands.CreateAsync(Caller(), aggregatorId, request, cancellationToken);
        return result.Value is { } state ? new SiteChange(state.Entry.Id, null) : new SiteChange(null, result.FailureText);
    }

    public async Task<SiteChange> EditAsync(Guid aggregatorId, int siteId, IReadOnlyList<string> interfaces, CancellationToken cancellationToken)
    {
        var current = await db.Links.AsNoTracking().Where(l => l.AggregatorId == aggregatorId && l.DeletedAt == null).ToListAsync(cancellationToken);
        var members = current.FirstOrDefault(l => l.Spec.Striper?.SiteId == siteId)?.Spec.Members.ToDictionary(m => m.Interface, StringComparer.Ordinal)
            ?? new Dictionary<string, MemberSpec>(StringComparer.Ordinal);
        var request = new UpdateAggregatorSiteRequest
        {
            Members = [.. interfaces.Select(i => members.TryGetValue(i, out var kept)
                ? new AggregatorSiteMember { Interface = i, Address = kept.Address, AdminState = kept.AdminState, Weight = kept.Weight, RateBitsPerSecond = kept.RateBitsPerSecond, Tier = kept.Tier }
                : new AggregatorSiteMember { Interface = i })],
        };
        var result = await commands.UpdateAsync(Caller(), aggregatorId, siteId, request, cancellationToken);
        return result.Value is not null ? new SiteChange(siteId, null) : new SiteChange(null, result.FailureText);
    }

    public async Task<SiteChange> RemoveAsync(Guid aggregatorId, int siteId, CancellationToken cancellationToken)
    {
        var result = await commands.DeleteAsync(Caller(), aggregatorId, siteId, reason: null, cancellationToken);
        return result.Value is not null ? new SiteChange(siteId, null) : new SiteChange(null, result.FailureText);
    }

    public async Task<SiteOf?> SiteOfAsync(Guid linkId, CancellationToken cancellationToken)
    {
        var site = await db.Links.AsNoTracking().Where(l => l.Id == linkId && l.AggregatorId != null).SingleOrDefaultAsync(cancellationToken);
        if (site?.Spec.Striper?.SiteId is not { } siteId)
        {
            return null;
        }

        var aggregator = await LinkCommands.FindLiveAsync(db, site.AggregatorId!.Value, tracking: false, cancellationToken);
        var entry = aggregator?.Spec.Aggregator?.Sites.FirstOrDefault(s => s.Id == siteId);
        return aggregator is null || entry is null
            ? null
            : new SiteOf(aggregator.Id, aggregator.Name, aggregator.Host?.Name ?? "", siteId, entry.Prefixes.Count > 0 ? entry.Prefixes[0] : "");
    }

    private Caller Caller() => Common.Caller.Of(http.HttpContext?.User ?? new ClaimsPrincipal());
}
