using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Links;

/// <summary>
/// Links: create with a spec, read, change the spec (a new generation, guarded by <c>If-Match</c>), delete; their
/// members; their policy history and revert. The changes are <see cref="LinkCommands"/>' (shared with the dashboard
/// and the demo); these handlers map HTTP to them and their results to typed results and ProblemDetails.
/// </summary>
public static class LinksApi
{
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
        CreateLinkRequest request, ClaimsPrincipal user, HttpContext http, LinkCommands commands, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var result = await commands.CreateAsync(Caller.Of(user), request.HostId, request.Spec, request.Reason, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (result.Value is not { } link)
        {
            return result.Refusal!.ToProblem();
        }

        http.Response.Headers.ETag = LinkMapping.ETag(link.Id, link.DesiredGeneration);
        return TypedResults.Created($"/api/v1/links/{link.Id}", LinkMapping.ToDto(link, user, keys));
    }

    private static async Task<Results<Ok<Page<LinkDto>>, ValidationProblem>> ListAsync(
        [AsParameters] LinkListQuery filter, [AsParameters] PageQuery paging,
        ClaimsPrincipal user, FleetDbContext db, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var page = paging.Parse(errors);
        var kindFilter = WireEnum.Parse<LinkKind>(filter.Kind, "kind", errors);
        var phaseFilter = WireEnum.Parse<LinkPhase>(filter.Phase, "phase", errors);
        if (page is not { } p || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.Links.AsNoTracking().Include(l => l.Members).Where(l => l.DeletedAt == null);
        if (filter.HostId is { } h)
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
        var link = await FindAsync(db, id, cancellationToken);
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
        ClaimsPrincipal user, HttpContext http, LinkCommands commands, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var result = await commands.ChangeSpecAsync(Caller.Of(user), id, spec, LinkPrecondition.IfMatch(ifMatch), reason, cancellationToken);
        return ToOk(result, user, http, keys);
    }

    private static async Task<Results<Ok<LinkDto>, ValidationProblem, ProblemHttpResult>> RevertAsync(
        Guid id, long generation, [FromHeader(Name = "If-Match")] string? ifMatch, [FromQuery] string? reason,
        ClaimsPrincipal user, HttpContext http, LinkCommands commands, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var result = await commands.RevertAsync(Caller.Of(user), id, generation, LinkPrecondition.IfMatch(ifMatch), reason, cancellationToken);
        return ToOk(result, user, http, keys);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, [FromHeader(Name = "If-Match")] string? ifMatch, ClaimsPrincipal user, LinkCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.DeleteAsync(Caller.Of(user), id, LinkPrecondition.IfMatch(ifMatch), cancellationToken);
        return result.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<IReadOnlyList<MemberDto>>, ProblemHttpResult>> ListMembersAsync(Guid id, FleetDbContext db, CancellationToken cancellationToken)
    {
        var link = await FindAsync(db, id, cancellationToken);
        return link is null
            ? LinkNotFound(id)
            : TypedResults.Ok<IReadOnlyList<MemberDto>>([.. link.Members.OrderBy(m => m.Position).Select(LinkMapping.ToDto)]);
    }

    private static async Task<Results<Ok<MemberDto>, ProblemHttpResult>> GetMemberAsync(Guid id, string member, FleetDbContext db, CancellationToken cancellationToken)
    {
        var link = await FindAsync(db, id, cancellationToken);
        if (link is null)
        {
            return LinkNotFound(id);
        }

        var found = link.Members.FirstOrDefault(m => m.Interface == member);
        return found is null ? Problems.NotFound($"Member '{member}' of link {id}") : TypedResults.Ok(LinkMapping.ToDto(found));
    }

    private static async Task<Results<Ok<Page<PolicyRevisionDto>>, ValidationProblem, ProblemHttpResult>> ListRevisionsAsync(
        Guid id, [AsParameters] PageQuery paging, ClaimsPrincipal user, FleetDbContext db, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (paging.Parse(errors) is not { } page)
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

    private static Task<LinkEntity?> FindAsync(FleetDbContext db, Guid id, CancellationToken cancellationToken) =>
        LinkCommands.FindLiveAsync(db, id, tracking: false, cancellationToken);

    private static Results<Ok<LinkDto>, ValidationProblem, ProblemHttpResult> ToOk(
        CommandResult<LinkEntity> result, ClaimsPrincipal user, HttpContext http, StriperKeyProtection keys)
    {
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (result.Value is not { } link)
        {
            return result.Refusal!.ToProblem();
        }

        http.Response.Headers.ETag = LinkMapping.ETag(link.Id, link.DesiredGeneration);
        return TypedResults.Ok(LinkMapping.ToDto(link, user, keys));
    }

    private static ProblemHttpResult LinkNotFound(Guid id) => Problems.NotFound($"Link {id}");
}
