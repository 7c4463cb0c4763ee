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

namespace Fleet.Api.Enrollment;

/// <summary>Enrollment tokens (admin): create (secret shown once), list, get, revoke.</summary>
public static class EnrollmentTokensApi
{
    public const int MinLifetimeSeconds = 60;
    public const int MaxLifetimeSeconds = 30 * 24 * 3600;
    public const int MaxUsesLimit = 10_000;

    public static RouteGroupBuilder MapEnrollmentTokensApi(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/enrollment-tokens").WithTags("Enrollment tokens").RequireAuthorization(FleetPolicies.Admin);
        tokens.MapPost("", CreateAsync).WithName("CreateEnrollmentToken").WithSummary("Create an enrollment token; the secret is in this answer only.");
        tokens.MapGet("", ListAsync).WithName("ListEnrollmentTokens").WithSummary("List enrollment tokens, newest first (no secrets).");
        tokens.MapGet("/{id:guid}", GetAsync).WithName("GetEnrollmentToken").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Get an enrollment token (no secret).");
        tokens.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeEnrollmentToken").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Revoke an enrollment token; hosts already enrolled keep their credentials.");
        return api;
    }

    internal static EnrollmentTokenDto ToDto(EnrollmentTokenEntity t, DateTime now) => new()
    {
        Id = t.Id,
        Description = t.Description,
        Prefix = t.Prefix,
        CreatedAt = t.CreatedAt,
        CreatedBy = t.CreatedBy,
        ExpiresAt = t.ExpiresAt,
        MaxUses = t.MaxUses,
        UseCount = t.UseCount,
        RevokedAt = t.RevokedAt,
        LastUsedAt = t.LastUsedAt,
        State = EnrollmentTokenState.Of(t, now),
    };

    private static async Task<Results<Created<CreatedEnrollmentTokenDto>, ValidationProblem>> CreateAsync(
        CreateEnrollmentTokenRequest request, ClaimsPrincipal user, FleetDbContext db, AuditLog audit, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Description is { } description && (description.Length > 200 || description.Any(char.IsControl)))
        {
            errors["description"] = ["must be at most 200 characters without control characters"];
        }

        if (request.ExpiresInSeconds is < MinLifetimeSeconds or > MaxLifetimeSeconds)
        {
            errors["expiresInSeconds"] = [$"must be between {MinLifetimeSeconds} and {MaxLifetimeSeconds}"];
        }

        if (request.MaxUses is < 1 or > MaxUsesLimit)
        {
            errors["maxUses"] = [$"must be between 1 and {MaxUsesLimit}"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var secret = Secrets.Generate(Secrets.EnrollmentTokenPrefix);
        var token = new EnrollmentTokenEntity
        {
            Id = Guid.CreateVersion7(),
            Description = request.Description,
            SecretHash = Secrets.Hash(secret),
            Prefix = Secrets.DisplayPrefix(secret),
            CreatedAt = now,
            CreatedBy = user.ToActor(),
            ExpiresAt = now.AddSeconds(request.ExpiresInSeconds),
            MaxUses = request.MaxUses,
        };
        db.EnrollmentTokens.Add(token);
        var dto = ToDto(token, now);
        audit.Record(user, "enrollment_token.create", "enrollment_token", token.Id, before: null, after: dto);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/enrollment-tokens/{token.Id}", new CreatedEnrollmentTokenDto(dto, secret));
    }

    private static async Task<Results<Ok<Page<EnrollmentTokenDto>>, ValidationProblem>> ListAsync(
        string? cursor, int? limit, FleetDbContext db, IOptions<FleetOptions> options, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (Paging.Parse(cursor, limit, options.Value.Limits, errors) is not { } page)
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
        Guid id, ClaimsPrincipal user, FleetDbContext db, AuditLog audit, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var token = await db.EnrollmentTokens.SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (token is null)
        {
            return Problems.NotFound("The enrollment token");
        }

        if (token.RevokedAt is null)
        {
            var now = timeProvider.GetUtcNow().UtcDateTime;
            var before = ToDto(token, now);
            token.RevokedAt = now;
            audit.Record(user, "enrollment_token.revoke", "enrollment_token", token.Id, before, ToDto(token, now));
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.NoContent();
    }
}
