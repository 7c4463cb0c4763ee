using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Dashboard;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using static Fleet.Api.Links.LinkRefusals;

namespace Fleet.Api.Links;

/// <summary>
/// The one implementation of changing a link's desired state, for every door (REST <c>LinksApi</c>, the dashboard's
/// policy editor, the demo fleet): create, change the spec, revert to an earlier generation, delete. Each command
/// checks the caller's role and the input (the shared <c>LinkSpecValidator</c>, the host's capabilities, the name on
/// the host, the caller's generation), then in one transaction stores the new generation in phase Pending with its
/// policy revision (superseding a pending one) and its audit entry (a deletion also its event), and after commit
/// publishes the change on <see cref="ILinkChangeFeed"/> (which pushes it to the agent and to live dashboards) and
/// forgets the overview's cached rows.
/// The staging steps (<see cref="StageCreate"/>, <see cref="StageGenerationAsync"/>, <see cref="StageDelete"/>) and the
/// save of the unit of work are in <c>LinkCommands.Staging.cs</c>: one implementation of each step, which
/// <c>LinkPairCommands</c> and <c>AggregatorSiteCommands</c> run too. Its refusals are <see cref="LinkRefusals"/>.
/// </summary>
public sealed partial class LinkCommands(
    FleetDbContext db,
    AuditLog audit,
    ILinkChangeFeed feed,
    StriperKeyProtection keys,
    StriperReachability reachability,
    FleetSnapshotCache overview,
    TimeProvider clock)
{
    public const int ReasonMaxLength = 500;

    private const string ForbiddenText = "Only operators and admins may change links.";

    private const string CannotConnectText =
        "A path of this striper link cannot connect to its far end (the link of another host with the same key): on every path one end must listen where the other dials.";

    /// <summary>A new link on <paramref name="hostId"/> at generation 1. Field errors are under <c>spec.</c> and <c>reason</c>.</summary>
    public async Task<CommandResult<LinkEntity>> CreateAsync(Caller caller, Guid hostId, LinkSpec? spec, string? reason, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var errors = LinkSpecChecks.Validate(spec, "spec.");
        CheckReason(reason, errors);
        if (errors.Count > 0 || spec is null)
        {
            return errors;
        }

        var host = await db.Hosts.AsNoTracking().SingleOrDefaultAsync(h => h.Id == hostId, cancellationToken);
        if (host is null)
        {
            return CommandRefusal.NotFound($"Host {hostId}");
        }

        if (HostRefusal(host, spec.Kind) is { } refused)
        {
            return refused;
        }

        if (await NameTakenAsync(host.Id, spec.Name, exceptLinkId: null, cancellationToken))
        {
            return NameConflict(host, spec.Name);
        }

        if (await reachability.CheckAsync(host.Id, linkId: null, spec, "spec.", cancellationToken) is { Count: > 0 } unreachable)
        {
            return StriperReachability.Refusal(CannotConnectText, unreachable);
        }

        var link = StageCreate(caller, host, spec, reason, pairId: null, clock.GetUtcNow().UtcDateTime);
        if (await SaveAsync(cancellationToken) is { } failure)
        {
            return failure == SaveFailure.Conflict ? NameConflict(host, spec.Name) : new CommandRefusal(RefusalKind.Stale, "The link changed meanwhile.");
        }

        Committed(LinkChangeKind.Created, link);
        return link;
    }

    /// <summary>
    /// <paramref name="spec"/> as the link's next generation, if <paramref name="precondition"/> (required) still holds.
    /// A spec equivalent to the current one changes nothing and returns the link as it is.
    /// </summary>
    public async Task<CommandResult<LinkEntity>> ChangeSpecAsync(
        Caller caller, Guid linkId, LinkSpec? spec, LinkPrecondition precondition, string? reason, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var link = await FindLiveAsync(db, linkId, tracking: true, cancellationToken);
        if (link is null)
        {
            return LinkNotFound(linkId);
        }

        if (PairEndRefusal(link) is { } pairEnd)
        {
            return pairEnd;
        }

        if (precondition.IsNone)
        {
            return new CommandRefusal(
                RefusalKind.PreconditionRequired,
                $"Send If-Match with the link's current ETag ({LinkMapping.ETag(link.Id, link.DesiredGeneration)}, from GET /api/v1/links/{linkId}) to change its spec.",
                CurrentVersion: link.DesiredGeneration);
        }

        var errors = LinkSpecChecks.Validate(spec, "");
        CheckReason(reason, errors);
        if (errors.Count > 0 || spec is null)
        {
            return errors;
        }

        if (!precondition.Holds(link))
        {
            return Stale(link.DesiredGeneration);
        }

        if (LinkSpecEquality.AreEquivalent(spec, keys.FromStorage(link.Spec)))
        {
            return link;
        }

        return await StoreGenerationAsync(caller, link, spec, reason, revertedFrom: null, cancellationToken);
    }

    /// <summary>Generation <paramref name="generation"/>'s spec as the link's next generation.</summary>
    public async Task<CommandResult<LinkEntity>> RevertAsync(
        Caller caller, Guid linkId, long generation, LinkPrecondition precondition, string? reason, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var errors = new Dictionary<string, string[]>();
        CheckReason(reason, errors);
        if (errors.Count > 0)
        {
            return errors;
        }

        var link = await FindLiveAsync(db, linkId, tracking: true, cancellationToken);
        if (link is null)
        {
            return LinkNotFound(linkId);
        }

        if (PairEndRefusal(link) is { } pairEnd)
        {
            return pairEnd;
        }

        var revision = await db.PolicyRevisions.AsNoTracking().SingleOrDefaultAsync(r => r.LinkId == linkId && r.Generation == generation, cancellationToken);
        if (revision is null)
        {
            return CommandRefusal.NotFound($"Generation {generation} of link {linkId}");
        }

        if (!precondition.Holds(link))
        {
            return Stale(link.DesiredGeneration);
        }

        var wanted = keys.FromStorage(revision.Spec);
        if (LinkSpecEquality.AreEquivalent(wanted, keys.FromStorage(link.Spec)))
        {
            return CommandRefusal.Conflict($"Generation {generation}'s spec is already the link's desired spec (generation {link.DesiredGeneration}).");
        }

        return await StoreGenerationAsync(caller, link, wanted, reason ?? $"revert to generation {generation}", generation, cancellationToken);
    }

    /// <summary>Marks the link deleted (its agent tears it down; its history stays) and records an event of its host.</summary>
    public async Task<CommandResult<LinkEntity>> DeleteAsync(Caller caller, Guid linkId, LinkPrecondition precondition, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var link = await FindLiveAsync(db, linkId, tracking: true, cancellationToken);
        if (link is null)
        {
            return LinkNotFound(linkId);
        }

        if (PairEndRefusal(link) is { } pairEnd)
        {
            return pairEnd;
        }

        if (!precondition.Holds(link))
        {
            return Stale(link.DesiredGeneration);
        }

        if (await Aggregators.AggregatorGuards.DeleteRefusalAsync(db, link, cancellationToken) is { } hasSites)
        {
            return hasSites;
        }

        StageDelete(caller, link, clock.GetUtcNow().UtcDateTime);
        if (await SaveAsync(cancellationToken) is not null)
        {
            return Stale(await CurrentGenerationAsync(link.Id, cancellationToken));
        }

        Committed(LinkChangeKind.Deleted, link);
        return link;
    }

    /// <summary>A live (not deleted) link with its members and host.</summary>
    public static Task<LinkEntity?> FindLiveAsync(FleetDbContext db, Guid id, bool tracking, CancellationToken cancellationToken)
    {
        var query = db.Links.Include(l => l.Members).Include(l => l.Host).Where(l => l.Id == id && l.DeletedAt == null);
        return (tracking ? query : query.AsNoTracking()).SingleOrDefaultAsync(cancellationToken);
    }

    private async Task<CommandResult<LinkEntity>> StoreGenerationAsync(
        Caller caller, LinkEntity link, LinkSpec spec, string? reason, long? revertedFrom, CancellationToken cancellationToken)
    {
        if (spec.Kind != link.Kind)
        {
            return CommandRefusal.Unprocessable(
                "A link's kind cannot change",
                $"The link is {link.Kind.ToString().ToLowerInvariant()}; delete it and create a {spec.Kind.ToString().ToLowerInvariant()} link instead.",
                "kind");
        }

        var host = link.Host!;
        if (HostRefusal(host, spec.Kind) is { } refused)
        {
            return refused;
        }

        if (spec.Name != link.Name && await NameTakenAsync(link.HostId, spec.Name, link.Id, cancellationToken))
        {
            return NameConflict(host, spec.Name);
        }

        if (link.Kind == LinkKind.Aggregator && Aggregators.AggregatorGuards.ChangeRefusal(keys.FromStorage(link.Spec), spec) is { } sitesDiffer)
        {
            return sitesDiffer;
        }

        if (await reachability.CheckAsync(link.HostId, link.Id, spec, "", cancellationToken) is { Count: > 0 } unreachable)
        {
            return StriperReachability.Refusal(CannotConnectText, unreachable);
        }

        var previousGeneration = link.DesiredGeneration;
        await StageGenerationAsync(caller, link, spec, reason, revertedFrom, clock.GetUtcNow().UtcDateTime, cancellationToken);
        if (await SaveAsync(cancellationToken) is { } failure)
        {
            // A concurrent writer took this generation first (the row's compare-and-swap failed, or its revision
            // row for the same generation won the unique index): stale. Otherwise the unique index was the name's.
            var current = await CurrentGenerationAsync(link.Id, cancellationToken);
            return failure == SaveFailure.Concurrency || current != previousGeneration ? Stale(current) : NameConflict(host, spec.Name);
        }

        Committed(revertedFrom is null ? LinkChangeKind.SpecChanged : LinkChangeKind.Reverted, link);
        return link;
    }

    internal Task<bool> NameTakenAsync(Guid hostId, string name, Guid? exceptLinkId, CancellationToken cancellationToken) =>
        db.Links.AnyAsync(l => l.HostId == hostId && l.Name == name && l.DeletedAt == null && l.Id != exceptLinkId, cancellationToken);

    private Task<long> CurrentGenerationAsync(Guid linkId, CancellationToken cancellationToken) =>
        db.Links.AsNoTracking().Where(l => l.Id == linkId).Select(l => l.DesiredGeneration).SingleAsync(cancellationToken);
}
