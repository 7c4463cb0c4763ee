using System.Security.Claims;
using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Hosting;
using Fleet.Api.Security;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Links;

/// <summary>
/// Links: create with a spec, read, change the spec (a new generation, guarded by <c>If-Match</c>), delete; their
/// members; their policy history and revert. Every accepted change stores a policy revision, sets phase Pending,
/// writes an audit entry in the same transaction, and is published on <see cref="ILinkChangeFeed"/> after commit.
/// </summary>
public static class LinksApi
{
    public const int ReasonMaxLength = 500;

    public static RouteGroupBuilder MapLinksApi(this RouteGroupBuilder api)
    {
        var links = api.MapGroup("/links").WithTags("Links");
        links.MapPost("", CreateAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("CreateLink").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity).WithSummary("Create a link on a host with its first spec (generation 1).");
        links.MapGet("", ListAsync)
            .WithName("ListLinks").WithSummary("List live links, oldest first; filter by host, kind and phase.");
        links.MapGet("/{id:guid}", GetAsync)
            .WithName("GetLink").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Get a link with its spec, rollout state and members; the ETag header guards spec changes.");
        links.MapGet("/{id:guid}/spec", GetSpecAsync)
            .WithName("GetLinkSpec").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Get a link's desired spec; the ETag header is the If-Match for PUT.");
        links.MapPut("/{id:guid}/spec", PutSpecAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("PutLinkSpec").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status428PreconditionRequired).WithSummary("Replace a link's spec: a new generation. Requires If-Match with the current ETag.");
        links.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("DeleteLink").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed).WithSummary("Delete a link; its agent tears it down. History is kept. If-Match is optional.");
        links.MapGet("/{id:guid}/members", ListMembersAsync)
            .WithName("ListMembers").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("A link's members in spec order, with observed health.");
        links.MapGet("/{id:guid}/members/{member}", GetMemberAsync)
            .WithName("GetMember").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("One member of a link, by interface name.");
        links.MapGet("/{id:guid}/revisions", ListRevisionsAsync)
            .WithName("ListPolicyRevisions").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("A link's policy history, newest generation first.");
        links.MapGet("/{id:guid}/revisions/{generation:long}", GetRevisionAsync)
            .WithName("GetPolicyRevision").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("One revision of a link's policy.");
        links.MapPost("/{id:guid}/revisions/{generation:long}/revert", RevertAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("RevertLink").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity).WithSummary("Make generation N's spec current again, as a new generation. If-Match is optional.");
        return api;
    }

    private static async Task<Results<Created<LinkDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateLinkRequest request, ClaimsPrincipal user, HttpContext http, FleetDbContext db, AuditLog audit,
        ILinkChangeFeed feed, StriperKeyProtection keys, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = LinkSpecChecks.Validate(request.Spec, "spec.");
        CheckReason(request.Reason, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var spec = request.Spec;
        var host = await db.Hosts.AsNoTracking().SingleOrDefaultAsync(h => h.Id == request.HostId, cancellationToken);
        if (host is null)
        {
            return Problems.NotFound($"Host {request.HostId}");
        }

        if (host.DecommissionedAt is not null)
        {
            return Problems.Conflict($"Host '{host.Name}' is decommissioned.");
        }

        if (LinkSpecChecks.CapabilityProblem(host, spec.Kind) is { } capability)
        {
            return Problems.Unprocessable("The host cannot run this link", capability);
        }

        if (await NameTakenAsync(db, host.Id, spec.Name, exceptLinkId: null, cancellationToken))
        {
            return NameConflict(host, spec.Name);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var link = new LinkEntity
        {
            Id = Guid.CreateVersion7(),
            HostId = host.Id,
            Name = spec.Name,
            Kind = spec.Kind,
            Spec = keys.ForStorage(spec),
            DesiredGeneration = 1,
            Phase = LinkPhase.Pending,
            PhaseChangedAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        MemberSync.Apply(link, spec, []);
        db.Links.Add(link);
        db.PolicyRevisions.Add(NewRevision(link, user, request.Reason, revertedFrom: null, now));
        audit.Record(user, "link.create", "link", link.Id, before: null, after: LinkMapping.AuditState(link));
        if (await SaveAsync(db, cancellationToken) is { } failure)
        {
            return failure == SaveFailure.Conflict ? NameConflict(host, spec.Name) : Problems.PreconditionFailed("The link changed meanwhile.");
        }

        feed.Publish(new LinkChange(LinkChangeKind.Created, link.HostId, link.Id, link.DesiredGeneration));
        http.Response.Headers.ETag = LinkMapping.ETag(link.Id, link.DesiredGeneration);
        return TypedResults.Created($"/api/v1/links/{link.Id}", LinkMapping.ToDto(link, user, keys));
    }

    private static async Task<Results<Ok<Page<LinkDto>>, ValidationProblem>> ListAsync(
        Guid? hostId, string? kind, string? phase, string? cursor, int? limit,
        ClaimsPrincipal user, FleetDbContext db, IOptions<FleetOptions> options, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var page = Paging.Parse(cursor, limit, options.Value.Limits, errors);
        var kindFilter = WireEnum.Parse<LinkKind>(kind, "kind", errors);
        var phaseFilter = WireEnum.Parse<LinkPhase>(phase, "phase", errors);
        if (page is not { } p || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.Links.AsNoTracking().Include(l => l.Members).Where(l => l.DeletedAt == null);
        if (hostId is { } h)
        {
            query = query.Where(l => l.HostId == h);
        }

        if (kindFilter is { } k)
        {
            query = query.Where(l => l.Kind == k);
        }

        if (phaseFilter is { } ph)
        {
            query = query.Where(l => l.Phase == ph);
        }

        if (p.Cursor is { } after)
        {
            query = query.Where(l => l.Id.CompareTo(after) > 0);
        }

        var rows = await query.OrderBy(l => l.Id).Take(p.Limit + 1).AsSplitQuery().ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.ToPage(rows, p.Limit, l => l.Id, l => LinkMapping.ToDto(l, user, keys)));
    }

    private static async Task<Results<Ok<LinkDto>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, HttpContext http, FleetDbContext db, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var link = await FindAsync(db, id, tracking: false, cancellationToken);
        if (link is null)
        {
            return LinkNotFound(id);
        }

        http.Response.Headers.ETag = LinkMapping.ETag(link.Id, link.DesiredGeneration);
        return TypedResults.Ok(LinkMapping.ToDto(link, user, keys));
    }

    private static async Task<Results<Ok<LinkSpec>, ProblemHttpResult>> GetSpecAsync(
        Guid id, ClaimsPrincipal user, HttpContext http, FleetDbContext db, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var link = await db.Links.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id && l.DeletedAt == null, cancellationToken);
        if (link is null)
        {
            return LinkNotFound(id);
        }

        http.Response.Headers.ETag = LinkMapping.ETag(link.Id, link.DesiredGeneration);
        return TypedResults.Ok(LinkMapping.ForCaller(link.Spec, user, keys));
    }

    private static async Task<Results<Ok<LinkDto>, ValidationProblem, ProblemHttpResult>> PutSpecAsync(
        Guid id, LinkSpec spec, [FromHeader(Name = "If-Match")] string? ifMatch, [FromQuery] string? reason,
        ClaimsPrincipal user, HttpContext http, FleetDbContext db, AuditLog audit, ILinkChangeFeed feed,
        StriperKeyProtection keys, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var link = await FindAsync(db, id, tracking: true, cancellationToken);
        if (link is null)
        {
            return LinkNotFound(id);
        }

        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return Problems.PreconditionRequired($"Send If-Match with the link's current ETag ({LinkMapping.ETag(link.Id, link.DesiredGeneration)}, from GET /api/v1/links/{id}) to change its spec.");
        }

        var errors = LinkSpecChecks.Validate(spec, "");
        CheckReason(reason, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!Matches(ifMatch, link))
        {
            return Stale(link);
        }

        if (LinkSpecEquality.AreEquivalent(spec, keys.FromStorage(link.Spec)))
        {
            http.Response.Headers.ETag = LinkMapping.ETag(link.Id, link.DesiredGeneration);
            return TypedResults.Ok(LinkMapping.ToDto(link, user, keys));
        }

        return await ChangeSpecAsync(link, spec, reason, revertedFrom: null, user, http, db, audit, feed, keys, timeProvider, cancellationToken);
    }

    private static async Task<Results<Ok<LinkDto>, ValidationProblem, ProblemHttpResult>> RevertAsync(
        Guid id, long generation, [FromHeader(Name = "If-Match")] string? ifMatch, [FromQuery] string? reason,
        ClaimsPrincipal user, HttpContext http, FleetDbContext db, AuditLog audit, ILinkChangeFeed feed,
        StriperKeyProtection keys, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        CheckReason(reason, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var link = await FindAsync(db, id, tracking: true, cancellationToken);
        if (link is null)
        {
            return LinkNotFound(id);
        }

        var revision = await db.PolicyRevisions.AsNoTracking().SingleOrDefaultAsync(r => r.LinkId == id && r.Generation == generation, cancellationToken);
        if (revision is null)
        {
            return Problems.NotFound($"Generation {generation} of link {id}");
        }

        if (!string.IsNullOrWhiteSpace(ifMatch) && !Matches(ifMatch, link))
        {
            return Stale(link);
        }

        var wanted = keys.FromStorage(revision.Spec);
        if (LinkSpecEquality.AreEquivalent(wanted, keys.FromStorage(link.Spec)))
        {
            return Problems.Conflict($"Generation {generation}'s spec is already the link's desired spec (generation {link.DesiredGeneration}).");
        }

        return await ChangeSpecAsync(link, wanted, reason ?? $"revert to generation {generation}", generation, user, http, db, audit, feed, keys, timeProvider, cancellationToken);
    }

    private static async Task<Results<Ok<LinkDto>, ValidationProblem, ProblemHttpResult>> ChangeSpecAsync(
        LinkEntity link, LinkSpec spec, string? reason, long? revertedFrom, ClaimsPrincipal user, HttpContext http,
        FleetDbContext db, AuditLog audit, ILinkChangeFeed feed, StriperKeyProtection keys, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (spec.Kind != link.Kind)
        {
            return Problems.Unprocessable("A link's kind cannot change", $"The link is {link.Kind.ToString().ToLowerInvariant()}; delete it and create a {spec.Kind.ToString().ToLowerInvariant()} link instead.");
        }

        var host = link.Host!;
        if (host.DecommissionedAt is not null)
        {
            return Problems.Conflict($"Host '{host.Name}' is decommissioned.");
        }

        if (LinkSpecChecks.CapabilityProblem(host, spec.Kind) is { } capability)
        {
            return Problems.Unprocessable("The host cannot run this link", capability);
        }

        if (spec.Name != link.Name && await NameTakenAsync(db, link.HostId, spec.Name, link.Id, cancellationToken))
        {
            return NameConflict(host, spec.Name);
        }

        var before = LinkMapping.AuditState(link);
        var previousGeneration = link.DesiredGeneration;
        var now = timeProvider.GetUtcNow().UtcDateTime;
        foreach (var pending in await db.PolicyRevisions.Where(r => r.LinkId == link.Id && r.Outcome == PolicyOutcome.Pending).ToListAsync(cancellationToken))
        {
            pending.Outcome = PolicyOutcome.Superseded;
            pending.OutcomeAt = now;
        }

        var removed = new List<MemberEntity>();
        link.Spec = keys.ForStorage(spec);
        link.Name = spec.Name;
        link.DesiredGeneration++;
        link.Phase = LinkPhase.Pending;
        link.LastError = null;
        link.PhaseChangedAt = now;
        link.UpdatedAt = now;
        MemberSync.Apply(link, spec, removed);
        db.Members.RemoveRange(removed);
        db.PolicyRevisions.Add(NewRevision(link, user, reason, revertedFrom, now));
        audit.Record(user, revertedFrom is null ? "link.spec.update" : "link.revert", "link", link.Id, before, LinkMapping.AuditState(link));
        if (await SaveAsync(db, cancellationToken) is { } failure)
        {
            // A concurrent writer took this generation first (the row's compare-and-swap failed, or its revision
            // row for the same generation won the unique index): stale. Otherwise the unique index was the name's.
            var current = await db.Links.AsNoTracking().Where(l => l.Id == link.Id).Select(l => l.DesiredGeneration).SingleAsync(cancellationToken);
            return failure == SaveFailure.Concurrency || current != previousGeneration ? Stale(current) : NameConflict(host, spec.Name);
        }

        feed.Publish(new LinkChange(revertedFrom is null ? LinkChangeKind.SpecChanged : LinkChangeKind.Reverted, link.HostId, link.Id, link.DesiredGeneration));
        http.Response.Headers.ETag = LinkMapping.ETag(link.Id, link.DesiredGeneration);
        return TypedResults.Ok(LinkMapping.ToDto(link, user, keys));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, [FromHeader(Name = "If-Match")] string? ifMatch, ClaimsPrincipal user, FleetDbContext db, AuditLog audit,
        ILinkChangeFeed feed, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var link = await FindAsync(db, id, tracking: true, cancellationToken);
        if (link is null)
        {
            return LinkNotFound(id);
        }

        if (!string.IsNullOrWhiteSpace(ifMatch) && !Matches(ifMatch, link))
        {
            return Stale(link);
        }

        var before = LinkMapping.AuditState(link);
        link.DeletedAt = timeProvider.GetUtcNow().UtcDateTime;
        audit.Record(user, "link.delete", "link", link.Id, before, LinkMapping.AuditState(link));
        if (await SaveAsync(db, cancellationToken) is not null)
        {
            return Stale(await db.Links.AsNoTracking().Where(l => l.Id == link.Id).Select(l => l.DesiredGeneration).SingleAsync(cancellationToken));
        }

        feed.Publish(new LinkChange(LinkChangeKind.Deleted, link.HostId, link.Id, link.DesiredGeneration));
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<IReadOnlyList<MemberDto>>, ProblemHttpResult>> ListMembersAsync(Guid id, FleetDbContext db, CancellationToken cancellationToken)
    {
        var link = await FindAsync(db, id, tracking: false, cancellationToken);
        return link is null
            ? LinkNotFound(id)
            : TypedResults.Ok<IReadOnlyList<MemberDto>>([.. link.Members.OrderBy(m => m.Position).Select(LinkMapping.ToDto)]);
    }

    private static async Task<Results<Ok<MemberDto>, ProblemHttpResult>> GetMemberAsync(Guid id, string member, FleetDbContext db, CancellationToken cancellationToken)
    {
        var link = await FindAsync(db, id, tracking: false, cancellationToken);
        if (link is null)
        {
            return LinkNotFound(id);
        }

        var found = link.Members.FirstOrDefault(m => m.Interface == member);
        return found is null ? Problems.NotFound($"Member '{member}' of link {id}") : TypedResults.Ok(LinkMapping.ToDto(found));
    }

    private static async Task<Results<Ok<Page<PolicyRevisionDto>>, ValidationProblem, ProblemHttpResult>> ListRevisionsAsync(
        Guid id, string? cursor, int? limit, ClaimsPrincipal user, FleetDbContext db, IOptions<FleetOptions> options, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (Paging.Parse(cursor, limit, options.Value.Limits, errors) is not { } page)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await db.Links.AnyAsync(l => l.Id == id, cancellationToken))
        {
            return LinkNotFound(id);
        }

        var query = db.PolicyRevisions.AsNoTracking().Where(r => r.LinkId == id);
        if (page.Cursor is { } before)
        {
            query = query.Where(r => r.Id.CompareTo(before) < 0);
        }

        var rows = await query.OrderByDescending(r => r.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.ToPage(rows, page.Limit, r => r.Id, r => LinkMapping.ToDto(r, user, keys)));
    }

    private static async Task<Results<Ok<PolicyRevisionDto>, ProblemHttpResult>> GetRevisionAsync(
        Guid id, long generation, ClaimsPrincipal user, FleetDbContext db, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var revision = await db.PolicyRevisions.AsNoTracking().SingleOrDefaultAsync(r => r.LinkId == id && r.Generation == generation, cancellationToken);
        return revision is null ? Problems.NotFound($"Generation {generation} of link {id}") : TypedResults.Ok(LinkMapping.ToDto(revision, user, keys));
    }

    private static Task<LinkEntity?> FindAsync(FleetDbContext db, Guid id, bool tracking, CancellationToken cancellationToken)
    {
        var query = db.Links.Include(l => l.Members).Include(l => l.Host).Where(l => l.Id == id && l.DeletedAt == null);
        return (tracking ? query : query.AsNoTracking()).SingleOrDefaultAsync(cancellationToken);
    }

    private static Task<bool> NameTakenAsync(FleetDbContext db, Guid hostId, string name, Guid? exceptLinkId, CancellationToken cancellationToken) =>
        db.Links.AnyAsync(l => l.HostId == hostId && l.Name == name && l.DeletedAt == null && l.Id != exceptLinkId, cancellationToken);

    private static PolicyRevisionEntity NewRevision(LinkEntity link, ClaimsPrincipal user, string? reason, long? revertedFrom, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(),
        LinkId = link.Id,
        Generation = link.DesiredGeneration,
        Spec = link.Spec,
        Author = user.ToActor(),
        Reason = reason,
        CreatedAt = now,
        RevertedFromGeneration = revertedFrom,
        Outcome = PolicyOutcome.Pending,
    };

    /// <summary>If-Match: <c>*</c> or a list of strong ETags, one of which must be the current one.</summary>
    private static bool Matches(string ifMatch, LinkEntity link)
    {
        var current = LinkMapping.ETag(link.Id, link.DesiredGeneration);
        foreach (var tag in ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (tag == "*" || tag == current)
            {
                return true;
            }
        }

        return false;
    }

    private static void CheckReason(string? reason, Dictionary<string, string[]> errors)
    {
        if (reason is not null && (reason.Length > ReasonMaxLength || reason.Any(c => char.IsControl(c) && c != '\n')))
        {
            errors["reason"] = [$"must be at most {ReasonMaxLength} characters without control characters"];
        }
    }

    private enum SaveFailure
    {
        Conflict,
        Concurrency,
    }

    private static async Task<SaveFailure?> SaveAsync(FleetDbContext db, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return SaveFailure.Concurrency;
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Two writers raced for the same interface name or the same generation.
            return SaveFailure.Conflict;
        }
    }

    private static ProblemHttpResult LinkNotFound(Guid id) => Problems.NotFound($"Link {id}");

    private static ProblemHttpResult NameConflict(HostEntity host, string name) =>
        Problems.Conflict($"Host '{host.Name}' already has a link named '{name}'.");

    private static ProblemHttpResult Stale(LinkEntity link) => Stale(link.DesiredGeneration);

    private static ProblemHttpResult Stale(long currentGeneration) =>
        Problems.PreconditionFailed($"The link's spec changed meanwhile; it is now generation {currentGeneration}. GET it again, re-apply your change and send the new ETag.");
}
