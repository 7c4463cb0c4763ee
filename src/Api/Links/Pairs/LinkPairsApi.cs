using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Links.Pairs;

/// <summary>
/// Link pairs (host-to-host striper links): create, read, change (one PUT, both ends, one ETag), delete (both ends).
/// The changes are <see cref="LinkPairCommands"/>'; these handlers map HTTP to them and refusals to ProblemDetails.
/// </summary>
public static class LinkPairsApi
{
    public static RouteGroupBuilder MapLinkPairsApi(this RouteGroupBuilder api)
    {
        var pairs = api.MapGroup("/link-pairs").WithTags("Link pairs");
        pairs.MapPost("", CreateAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("CreateLinkPair").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Create a striper link between two hosts: the Api generates the key, picks ports and tunnel addresses, and creates both ends.");
        pairs.MapGet("", ListAsync)
            .WithName("ListLinkPairs").WithSummary("List live link pairs, oldest first.");
        pairs.MapGet("/{id:guid}", GetAsync)
            .WithName("GetLinkPair").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Get a link pair with both its ends; the ETag header guards changes.");
        pairs.MapPut("/{id:guid}/spec", PutSpecAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("PutLinkPairSpec").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status428PreconditionRequired)
            .WithSummary("Replace a link pair's spec: both ends change together. Requires If-Match with the pair's ETag.");
        pairs.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("DeleteLinkPair").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed)
            .WithSummary("Delete a link pair and both its ends. If-Match is optional.");
        return api;
    }

    private static async Task<Results<Created<LinkPairDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateLinkPairRequest request, ClaimsPrincipal user, HttpContext http, LinkPairCommands commands, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var result = await commands.CreateAsync(Caller.Of(user), request.Spec, request.Reason, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (result.Value is not { } state)
        {
            return result.Refusal!.ToProblem();
        }

        http.Response.Headers.ETag = LinkMapping.ETag(state.Pair.Id, state.Pair.Generation);
        return TypedResults.Created($"/api/v1/link-pairs/{state.Pair.Id}", ToDto(state, user, keys));
    }

    private static async Task<Results<Ok<Page<LinkPairDto>>, ValidationProblem>> ListAsync(
        [AsParameters] PageQuery paging, ClaimsPrincipal user, FleetDbContext db, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (paging.Parse(errors) is not { } page)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.LinkPairs.AsNoTracking().Where(p => p.DeletedAt == null);
        if (page.Cursor is { } after)
        {
            query = query.Where(p => p.Id.CompareTo(after) > 0);
        }

        var pairs = await query.OrderBy(p => p.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        var endIds = pairs.SelectMany(p => new[] { p.AEndLinkId, p.BEndLinkId }).ToList();
        var ends = await db.Links.AsNoTracking().Include(l => l.Members).Where(l => endIds.Contains(l.Id)).AsSplitQuery().ToDictionaryAsync(l => l.Id, cancellationToken);
        return TypedResults.Ok(Paging.ToPage(pairs, page.Limit, p => p.Id, p => ToDto(new LinkPairState(p, ends[p.AEndLinkId], ends[p.BEndLinkId]), user, keys)));
    }

    private static async Task<Results<Ok<LinkPairDto>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, HttpContext http, FleetDbContext db, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        if (await LinkPairCommands.FindLiveAsync(db, id, tracking: false, cancellationToken) is not { } state)
        {
            return Problems.NotFound($"Link pair {id}");
        }

        http.Response.Headers.ETag = LinkMapping.ETag(state.Pair.Id, state.Pair.Generation);
        return TypedResults.Ok(ToDto(state, user, keys));
    }

    private static async Task<Results<Ok<LinkPairDto>, ValidationProblem, ProblemHttpResult>> PutSpecAsync(
        Guid id, LinkPairSpec spec, [FromHeader(Name = "If-Match")] string? ifMatch, [FromQuery] string? reason,
        ClaimsPrincipal user, HttpContext http, LinkPairCommands commands, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var result = await commands.ChangeSpecAsync(Caller.Of(user), id, spec, LinkPrecondition.IfMatch(ifMatch), reason, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (result.Value is not { } state)
        {
            return result.Refusal!.ToProblem();
        }

        http.Response.Headers.ETag = LinkMapping.ETag(state.Pair.Id, state.Pair.Generation);
        return TypedResults.Ok(ToDto(state, user, keys));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, [FromHeader(Name = "If-Match")] string? ifMatch, ClaimsPrincipal user, LinkPairCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.DeleteAsync(Caller.Of(user), id, LinkPrecondition.IfMatch(ifMatch), cancellationToken);
        return result.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
    }

    /// <summary>The pair as REST shows it: the ends' keys redacted for every role (the pair never hands out its key).</summary>
    private static LinkPairDto ToDto(LinkPairState state, ClaimsPrincipal user, StriperKeyProtection keys) => new()
    {
        Id = state.Pair.Id,
        Spec = state.Pair.Spec,
        Generation = state.Pair.Generation,
        ETag = LinkMapping.ETag(state.Pair.Id, state.Pair.Generation),
        A = Redacted(LinkMapping.ToDto(state.A, user, keys)),
        B = Redacted(LinkMapping.ToDto(state.B, user, keys)),
        CreatedAt = state.Pair.CreatedAt,
        UpdatedAt = state.Pair.UpdatedAt,
    };

    private static LinkDto Redacted(LinkDto end) =>
        end with { Spec = end.Spec with { Striper = end.Spec.Striper! with { Key = LinkMapping.RedactedKey } } };
}
