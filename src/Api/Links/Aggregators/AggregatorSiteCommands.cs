using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Links.Pairs;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Links.Validation;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Links.Aggregators;

/// <summary>A site as a command leaves it: the aggregator link, the site's entry in it and the site's link; listed, with the site as the aggregator sees it.</summary>
public sealed record AggregatorSiteState(LinkEntity Aggregator, AggregatorSiteSpec Entry, LinkEntity? Link, AggregatorSiteObservedDto? Observed = null);

/// <summary>
/// The one implementation of adding, changing and removing an aggregator's sites (issue 17), for REST and the dashboard alike.
/// Each command changes both sides in one transaction through <see cref="LinkCommands"/>' staging steps: the site's
/// striper link (created, given its next generation, or deleted) and the aggregator link's next generation (its entry
/// added, changed or removed), so both
/// reach their agents through the usual desired-state path, the site's with commit-confirm. The Api allocates the
/// site id, the inner prefix and the key (<see cref="AggregatorSiteAllocation"/>); a prefix and an id are free again
/// once their site is removed.
/// </summary>
public sealed class AggregatorSiteCommands(FleetDbContext db, LinkCommands links, StriperKeyProtection keys, TimeProvider clock)
{
    private const string ForbiddenText = "Only operators and admins may change links.";

    /// <summary>A new site of <paramref name="aggregatorId"/> on <c>request.HostId</c>. Field errors are under the request's names.</summary>
    public async Task<CommandResult<AggregatorSiteState>> CreateAsync(Caller caller, Guid aggregatorId, CreateAggregatorSiteRequest? request, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var errors = Validate(request);
        if (errors.Count > 0 || request is null)
        {
            return errors;
        }

        var found = await FindAggregatorAsync(aggregatorId, cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return refusal;
        }

        var aggregatorLink = found.Link!;
        var host = await db.Hosts.AsNoTracking().SingleOrDefaultAsync(h => h.Id == request.HostId, cancellationToken);
        if (host is null)
        {
            return CommandRefusal.NotFound($"Host {request.HostId}", "hostId");
        }

        if (host.Id == aggregatorLink.HostId)
        {
            const string OwnHost = "The aggregator's own host cannot be one of its sites.";
            return new CommandRefusal(
                RefusalKind.Unprocessable, OwnHost, "A site is another host", "hostId", Errors: new Dictionary<string, string[]> { ["hostId"] = [OwnHost] });
        }

        if (LinkRefusals.HostRefusal(host, LinkKind.Striper) is { } refused)
        {
            return refused with { Field = "hostId" };
        }

        if (await links.NameTakenAsync(host.Id, request.Name, exceptLinkId: null, cancellationToken))
        {
            return LinkRefusals.NameConflict(host, request.Name);
        }

        var aggregator = keys.FromStorage(aggregatorLink.Spec);
        var options = aggregator.Aggregator!;
        var endpointErrors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (AggregatorSiteAllocation.Endpoint(aggregator, aggregatorLink.Host!, endpointErrors) is not { } endpoint)
        {
            return CommandRefusal.Conflict(
                $"The aggregator has no address its sites could send to ({string.Join("; ", endpointErrors.Values.SelectMany(v => v))}): give its member an address or set aggregator.publicAddress.");
        }

        var network = LinkSpecValidator.TunnelNetwork(aggregator);
        var prefix = network is { } n
            ? AggregatorSiteAllocation.FreePrefix(n, options.SitePrefixLength, AggregatorSiteAllocation.OwnAddresses(aggregator), AggregatorSiteAllocation.UsedPrefixes(options))
            : null;
        if (prefix is not { } sitePrefix)
        {
            return CommandRefusal.Conflict($"Every /{options.SitePrefixLength} of the aggregator's tunnel network {network} is taken: remove a site, or widen the network.");
        }

        var siteId = AggregatorSiteAllocation.FreeSiteId(options);
        var siteLink = AggregatorSiteAllocation.SiteLink(
            request, aggregator, siteId, AggregatorSiteAllocation.TunnelAddress(sitePrefix, network!.Value), LinkPairCommands.NewKey(), endpoint);
        var siteErrors = LinkSpecChecks.Validate(siteLink, "");
        if (siteErrors.Count > 0)
        {
            return siteErrors;
        }

        var entry = AggregatorSiteAllocation.SiteEntry(siteLink, sitePrefix);
        var next = aggregator with { Aggregator = options with { Sites = [.. options.Sites, entry] } };
        if (LinkSpecValidator.Validate(next) is { Count: > 0 } aggregatorErrors)
        {
            return CommandRefusal.Conflict($"The aggregator cannot take this site: {string.Join("; ", aggregatorErrors.Select(e => $"{e.Path}: {e.Message}"))}.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var link = links.StageCreate(caller, host, siteLink, request.Reason, pairId: null, now);
        link.AggregatorId = aggregatorLink.Id;
        await links.StageGenerationAsync(caller, aggregatorLink, next, request.Reason ?? $"site {siteId} added", revertedFrom: null, now, cancellationToken);
        if (await links.SaveAsync(cancellationToken) is { } failure)
        {
            return failure == LinkCommands.SaveFailure.Conflict
                ? LinkRefusals.NameConflict(host, request.Name)
                : ChangedMeanwhile;
        }

        links.Committed(LinkChangeKind.Created, link);
        links.Committed(LinkChangeKind.SpecChanged, aggregatorLink);
        return new AggregatorSiteState(aggregatorLink, entry, link);
    }

    /// <summary>
    /// Changes a site's paths and options (<see cref="UpdateAggregatorSiteRequest"/>): the site's link gets its next
    /// generation (commit-confirm on its host) and the aggregator's entry its path count and options, in one
    /// transaction. Field errors are under the request's names; a request that changes nothing makes no generation.
    /// </summary>
    public async Task<CommandResult<AggregatorSiteState>> UpdateAsync(Caller caller, Guid aggregatorId, int siteId, UpdateAggregatorSiteRequest? request, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var errors = Validate(request);
        if (errors.Count > 0 || request is null)
        {
            return errors;
        }

        var found = await FindAggregatorAsync(aggregatorId, cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return refusal;
        }

        var aggregatorLink = found.Link!;
        var aggregator = keys.FromStorage(aggregatorLink.Spec);
        var options = aggregator.Aggregator!;
        if (options.Sites.FirstOrDefault(s => s.Id == siteId) is not { } entry)
        {
            return SiteNotFound(aggregatorId, siteId);
        }

        if (await SiteLinkAsync(aggregatorLink.Id, siteId, tracking: true, cancellationToken) is not { } link)
        {
            return CommandRefusal.Conflict($"Site {siteId} of aggregator {aggregatorId} has no link: remove the site and add it again.");
        }

        var endpointErrors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (AggregatorSiteAllocation.Endpoint(aggregator, aggregatorLink.Host!, endpointErrors) is not { } endpoint)
        {
            return CommandRefusal.Conflict($"The aggregator has no address its sites could send to ({string.Join("; ", endpointErrors.Values.SelectMany(v => v))}).");
        }

        var current = keys.FromStorage(link.Spec);
        var siteLink = AggregatorSiteAllocation.EditedSiteLink(current, request, endpoint);
        var siteErrors = LinkSpecChecks.Validate(siteLink, "");
        if (siteErrors.Count > 0)
        {
            return siteErrors;
        }

        var edited = AggregatorSiteAllocation.EditedEntry(entry, siteLink);
        if (LinkSpecEquality.AreEquivalent(current, siteLink) && LinkSpecEquality.AreEquivalent(entry, edited))
        {
            return new AggregatorSiteState(aggregatorLink, entry, link);
        }

        var next = aggregator with { Aggregator = options with { Sites = [.. options.Sites.Select(s => s.Id == siteId ? edited : s)] } };
        if (LinkSpecValidator.Validate(next) is { Count: > 0 } aggregatorErrors)
        {
            return CommandRefusal.Conflict($"The aggregator cannot take this change: {string.Join("; ", aggregatorErrors.Select(e => $"{e.Path}: {e.Message}"))}.");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var reason = request.Reason ?? $"site {siteId} changed";
        await links.StageGenerationAsync(caller, link, siteLink, reason, revertedFrom: null, now, cancellationToken);
        await links.StageGenerationAsync(caller, aggregatorLink, next, reason, revertedFrom: null, now, cancellationToken);
        if (await links.SaveAsync(cancellationToken) is not null)
        {
            return ChangedMeanwhile;
        }

        links.Committed(LinkChangeKind.SpecChanged, link);
        links.Committed(LinkChangeKind.SpecChanged, aggregatorLink);
        return new AggregatorSiteState(aggregatorLink, edited, link);
    }

    /// <summary>Removes a site: its link is deleted (its agent tears it down) and its entry leaves the aggregator, in one transaction.</summary>
    public async Task<CommandResult<AggregatorSiteState>> DeleteAsync(Caller caller, Guid aggregatorId, int siteId, string? reason, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var found = await FindAggregatorAsync(aggregatorId, cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return refusal;
        }

        var aggregatorLink = found.Link!;
        var aggregator = keys.FromStorage(aggregatorLink.Spec);
        var options = aggregator.Aggregator!;
        if (options.Sites.FirstOrDefault(s => s.Id == siteId) is not { } entry)
        {
            return SiteNotFound(aggregatorId, siteId);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var link = await SiteLinkAsync(aggregatorLink.Id, siteId, tracking: true, cancellationToken);
        if (link is not null)
        {
            links.StageDelete(caller, link, now);
        }

        var next = aggregator with { Aggregator = options with { Sites = [.. options.Sites.Where(s => s.Id != siteId)] } };
        await links.StageGenerationAsync(caller, aggregatorLink, next, reason ?? $"site {siteId} removed", revertedFrom: null, now, cancellationToken);
        if (await links.SaveAsync(cancellationToken) is not null)
        {
            return ChangedMeanwhile;
        }

        if (link is not null)
        {
            links.Committed(LinkChangeKind.Deleted, link);
        }

        links.Committed(LinkChangeKind.SpecChanged, aggregatorLink);
        return new AggregatorSiteState(aggregatorLink, entry, link);
    }

    /// <summary>The aggregator's sites with their links and their state at the aggregator, by site id; null when the aggregator does not exist.</summary>
    public async Task<CommandResult<IReadOnlyList<AggregatorSiteState>>> ListAsync(Guid aggregatorId, CancellationToken cancellationToken)
    {
        var found = await FindAggregatorAsync(aggregatorId, cancellationToken, tracking: false);
        if (found.Refusal is { } refusal)
        {
            return refusal;
        }

        var siteLinks = await db.Links.AsNoTracking().Include(l => l.Members).Include(l => l.Host)
            .Where(l => l.AggregatorId == aggregatorId && l.DeletedAt == null).ToListAsync(cancellationToken);
        var bySite = siteLinks.Where(l => l.Spec.Striper?.SiteId is not null).ToDictionary(l => l.Spec.Striper!.SiteId!.Value);
        var observed = await AggregatorSiteObservations.ReadAsync(db, aggregatorId, clock.GetUtcNow(), cancellationToken);
        return found.Link!.Spec.Aggregator!.Sites.OrderBy(s => s.Id)
            .Select(s => new AggregatorSiteState(found.Link, s, bySite.GetValueOrDefault(s.Id), observed.GetValueOrDefault(s.Id))).ToList();
    }

    /// <summary>The field errors of a request, before anything is looked up.</summary>
    private static Dictionary<string, string[]> Validate(CreateAggregatorSiteRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors[""] = ["a request body is required"];
            return errors;
        }

        CheckMembers(request.Members, errors);
        if (request.Name is null)
        {
            errors["name"] = ["the site link's name is required"];
        }

        LinkRefusals.CheckReason(request.Reason, errors);
        return errors;
    }

    /// <inheritdoc cref="Validate(CreateAggregatorSiteRequest?)"/>
    private static Dictionary<string, string[]> Validate(UpdateAggregatorSiteRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors[""] = ["a request body is required"];
            return errors;
        }

        CheckMembers(request.Members, errors);
        LinkRefusals.CheckReason(request.Reason, errors);
        return errors;
    }

    private static void CheckMembers(IReadOnlyList<AggregatorSiteMember>? members, Dictionary<string, string[]> errors)
    {
        if (members is null || members.Count == 0)
        {
            errors["members"] = ["a site needs at least one member (uplink)"];
        }
        else if (members.Any(m => m is null))
        {
            errors["members"] = ["a member is required"];
        }
    }

    /// <summary>The live aggregator link, or why there is none (404 unknown, 409 not an aggregator).</summary>
    private async Task<(LinkEntity? Link, CommandRefusal? Refusal)> FindAggregatorAsync(Guid aggregatorId, CancellationToken cancellationToken, bool tracking = true)
    {
        var link = await LinkCommands.FindLiveAsync(db, aggregatorId, tracking, cancellationToken);
        if (link is null)
        {
            return (null, AggregatorNotFound(aggregatorId));
        }

        return link.Kind == LinkKind.Aggregator && link.Spec.Aggregator is not null
            ? (link, null)
            : (link, CommandRefusal.Conflict($"Link {aggregatorId} is a {link.Kind.ToString().ToLowerInvariant()} link, not an aggregator: only an aggregator has sites."));
    }

    /// <summary>The site's link: the site id sits in the link's spec (JSON), so the aggregator's few site links are read and matched here.</summary>
    private async Task<LinkEntity?> SiteLinkAsync(Guid aggregatorId, int siteId, bool tracking, CancellationToken cancellationToken)
    {
        var query = db.Links.Include(l => l.Members).Include(l => l.Host).Where(l => l.AggregatorId == aggregatorId && l.DeletedAt == null);
        var siteLinks = await (tracking ? query : query.AsNoTracking()).ToListAsync(cancellationToken);
        return siteLinks.FirstOrDefault(l => l.Spec.Striper?.SiteId == siteId);
    }

    /// <summary>
    /// Another change of the aggregator committed first (its generation is the compare-and-swap that keeps two sites
    /// from taking one id or prefix). A 409, not a 412: the caller sent no precondition, and trying again is safe.
    /// </summary>
    private static CommandRefusal ChangedMeanwhile { get; } =
        CommandRefusal.Conflict("The aggregator or the site changed meanwhile (another site was added, changed or removed, or a spec changed); try again.");

    private static CommandRefusal AggregatorNotFound(Guid id) => CommandRefusal.NotFound($"Link {id}");

    private static CommandRefusal SiteNotFound(Guid aggregatorId, int siteId) => CommandRefusal.NotFound($"Site {siteId} of aggregator {aggregatorId}");
}
