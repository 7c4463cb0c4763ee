using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Enrollment;

/// <summary>
/// Enrollment tokens (admin): create (secret shown once), list, get, revoke. Changes are
/// <see cref="EnrollmentTokenCommands"/>' (shared with the dashboard's settings and the demo fleet).
/// </summary>
public static class EnrollmentTokensApi
{
    public static RouteGroupBuilder MapEnrollmentTokensApi(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/enrollment-tokens").WithTags("Enrollment tokens").RequireAuthorization(FleetPolicies.Admin);
        tokens.MapPost("", CreateAsync).WithName("CreateEnrollmentToken").WithSummary("Create an enrollment token; the secret is in this answer only.");
        tokens.MapGet("", ListAsync).WithName("ListEnrollmentTokens").WithSummary("List enrollment tokens, newest first (no secrets).");
        tokens.MapGet("/{id:guid}", GetAsync).WithName("GetEnrollmentToken").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Get an enrollment token (no secret).");
        tokens.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeEnrollmentToken").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Revoke an enrollment token; hosts already enrolled keep their credentials.");
        return api;
    }

    private static async Task<Results<Created<CreatedEnrollmentTokenDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateEnrollmentTokenRequest request, ClaimsPrincipal user, EnrollmentTokenCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.CreateAsync(Caller.Of(user), request.Description, request.ExpiresInSeconds, request.MaxUses, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return result.Value is { } issued
            ? TypedResults.Created($"/api/v1/enrollment-tokens/{issued.Token.Id}", new CreatedEnrollmentTokenDto(ToDto(issued.Token, issued.Token.CreatedAt), issued.Secret))
            : result.Refusal!.ToProblem();
    }

    private static async Task<Results<Ok<Page<EnrollmentTokenDto>>, ValidationProblem>> ListAsync(
        [AsParameters] PageQuery paging, FleetDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (paging.Parse(errors) is not { } page)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.EnrollmentTokens.AsNoTracking();
        if (page.Cursor is { } before)
        {
            query = query.Where(t => t.Id.CompareTo(before) < 0);
        }

        var rows = await query.OrderByDescending(t => t.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        var now = timeProvider.GetUtcNow().UtcDateTime;
        return TypedResults.Ok(Paging.ToPage(rows, page.Limit, t => t.Id, t => ToDto(t, now)));
    }

    private static async Task<Results<Ok<EnrollmentTokenDto>, ProblemHttpResult>> GetAsync(Guid id, FleetDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var token = await db.EnrollmentTokens.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        return token is null ? Problems.NotFound("The enrollment token") : TypedResults.Ok(ToDto(token, timeProvider.GetUtcNow().UtcDateTime));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, ClaimsPrincipal user, EnrollmentTokenCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.RevokeAsync(Caller.Of(user), id, cancellationToken);
        return result.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
    }

    private static EnrollmentTokenDto ToDto(EnrollmentTokenEntity token, DateTime now) => EnrollmentTokenCommands.ToDto(token, now);
}
