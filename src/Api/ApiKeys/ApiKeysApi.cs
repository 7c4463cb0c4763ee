using System.Security.Claims;
using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Hosting;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.ApiKeys;

/// <summary>API keys (admin): create (secret shown once), list (no secrets, with last-used time), get, revoke.</summary>
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

    internal static ApiKeyDto ToDto(ApiKeyEntity k) => new()
    {
        Id = k.Id,
        Name = k.Name,
        Role = k.Role,
        Prefix = k.Prefix,
        CreatedAt = k.CreatedAt,
        CreatedBy = k.CreatedBy,
        ExpiresAt = k.ExpiresAt,
        RevokedAt = k.RevokedAt,
        LastUsedAt = k.LastUsedAt,
    };

    private static async Task<Results<Created<CreatedApiKeyDto>, ValidationProblem>> CreateAsync(
        CreateApiKeyRequest request, ClaimsPrincipal user, FleetDbContext db, AuditLog audit, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 100 || request.Name.Any(char.IsControl))
        {
            errors["name"] = ["must be 1 to 100 characters without control characters"];
        }

        if (!FleetRoles.IsApiKeyRole(request.Role))
        {
            errors["role"] = [$"must be {FleetRoles.ApiKeyRolesText}"];
        }

        if (request.ExpiresAt is { } expires && expires.UtcDateTime <= now)
        {
            errors["expiresAt"] = ["must be in the future"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var secret = Secrets.Generate(Secrets.ApiKeyPrefix);
        var key = new ApiKeyEntity
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name,
            Role = request.Role,
            SecretHash = Secrets.Hash(secret),
            Prefix = Secrets.DisplayPrefix(secret),
            CreatedAt = now,
            CreatedBy = user.ToActor(),
            ExpiresAt = request.ExpiresAt?.UtcDateTime,
        };
        db.ApiKeys.Add(key);
        var dto = ToDto(key);
        audit.Record(user, "api_key.create", "api_key", key.Id, before: null, after: dto);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/api-keys/{key.Id}", new CreatedApiKeyDto(dto, secret));
    }

    private static async Task<Results<Ok<Page<ApiKeyDto>>, ValidationProblem>> ListAsync(
        string? cursor, int? limit, FleetDbContext db, IOptions<FleetOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (Paging.Parse(cursor, limit, options.Value.Limits, errors) is not { } page)
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
        Guid id, ClaimsPrincipal user, FleetDbContext db, AuditLog audit, HubSessions hubs, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound("The API key");
        }

        if (key.RevokedAt is null)
        {
            var before = ToDto(key);
            key.RevokedAt = timeProvider.GetUtcNow().UtcDateTime;
            audit.Record(user, "api_key.revoke", "api_key", key.Id, before, ToDto(key));
            await db.SaveChangesAsync(cancellationToken);
            hubs.RevalidateSoon();
        }

        return TypedResults.NoContent();
    }
}
