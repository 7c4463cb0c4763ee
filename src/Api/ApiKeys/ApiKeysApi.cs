using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.ApiKeys;

/// <summary>
/// API keys (admin): create (secret shown once), list (no secrets, with last-used time), get, revoke. Changes are
/// <see cref="ApiKeyCommands"/>' (shared with the dashboard's settings).
/// </summary>
public static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/api-keys").WithTags("API keys").RequireAuthorization(FleetPolicies.Admin);
        keys.MapPost("", CreateAsync).WithName("CreateApiKey").WithSummary("Create an API key with a role; the secret is in this answer only.");
        keys.MapGet("", ListAsync).WithName("ListApiKeys").WithSummary("List API keys, newest first (no secrets).");
        keys.MapGet("/{id:guid}", GetAsync).WithName("GetApiKey").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Get an API key (no secret).");
        keys.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeApiKey").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Revoke an API key; it stops working at once.");
        return api;
    }

    private static async Task<Results<Created<CreatedApiKeyDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest request, ClaimsPrincipal user, ApiKeyCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.CreateAsync(Caller.Of(user), request.Name, request.Role, request.ExpiresAt, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return result.Value is { } issued
            ? TypedResults.Created($"/api/v1/api-keys/{issued.Key.Id}", new CreatedApiKeyDto(ToDto(issued.Key), issued.Secret))
            : result.Refusal!.ToProblem();
    }

    private static async Task<Results<Ok<Page<ApiKeyDto>>, ValidationProblem>> ListAsync(
        [AsParameters] PageQuery paging, FleetDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (paging.Parse(errors) is not { } page)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.ApiKeys.AsNoTracking();
        if (page.Cursor is { } before)
        {
            query = query.Where(k => k.Id.CompareTo(before) < 0);
        }

        var rows = await query.OrderByDescending(k => k.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.ToPage(rows, page.Limit, k => k.Id, ToDto));
    }

    private static async Task<Results<Ok<ApiKeyDto>, ProblemHttpResult>> GetAsync(Guid id, FleetDbContext db, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        return key is null ? Problems.NotFound("The API key") : TypedResults.Ok(ToDto(key));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, ClaimsPrincipal user, ApiKeyCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.RevokeAsync(Caller.Of(user), id, cancellationToken);
        return result.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
    }

    private static ApiKeyDto ToDto(ApiKeyEntity key) => ApiKeyCommands.ToDto(key);
}
