using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Enrollment;

/// <summary>A new enrollment token and its secret, which exists only here (the database keeps its SHA-256).</summary>
public sealed record IssuedEnrollmentToken(EnrollmentTokenEntity Token, string Secret);

/// <summary>
/// The one implementation of issuing and revoking enrollment tokens, for every door (REST
/// <c>EnrollmentTokensApi</c>, the dashboard's settings, the demo fleet). Admins only. Revoking a token leaves the
/// hosts it enrolled their credentials.
/// </summary>
public sealed class EnrollmentTokenCommands(FleetDbContext db, AuditLog audit, TimeProvider clock)
{
    public const int MinLifetimeSeconds = 60;
    public const int MaxLifetimeSeconds = 30 * 24 * 3600;
    public const int MaxUsesLimit = 10_000;
    public const int DescriptionMaxLength = 200;

    private const string ForbiddenText = "Only admins may manage enrollment tokens.";

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

    /// <summary>A new token that expires in <paramref name="expiresInSeconds"/> and enrolls at most <paramref name="maxUses"/> hosts.</summary>
    public async Task<CommandResult<IssuedEnrollmentToken>> CreateAsync(
        Caller caller, string? description, int expiresInSeconds, int maxUses, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Admin))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var errors = new Dictionary<string, string[]>();
        if (description is not null && (description.Length > DescriptionMaxLength || description.Any(char.IsControl)))
        {
            errors["description"] = [$"must be at most {DescriptionMaxLength} characters without control characters"];
        }

        if (expiresInSeconds is < MinLifetimeSeconds or > MaxLifetimeSeconds)
        {
            errors["expiresInSeconds"] = [$"must be between {MinLifetimeSeconds} and {MaxLifetimeSeconds}"];
        }

        if (maxUses is < 1 or > MaxUsesLimit)
        {
            errors["maxUses"] = [$"must be between 1 and {MaxUsesLimit}"];
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var secret = Secrets.Generate(Secrets.EnrollmentTokenPrefix);
        var token = new EnrollmentTokenEntity
        {
            Id = Guid.CreateVersion7(),
            Description = description,
            SecretHash = Secrets.Hash(secret),
            Prefix = Secrets.DisplayPrefix(secret),
            CreatedAt = now,
            CreatedBy = caller.Actor,
            ExpiresAt = now.AddSeconds(expiresInSeconds),
            MaxUses = maxUses,
        };
        db.EnrollmentTokens.Add(token);
        audit.Record(caller.Actor, "enrollment_token.create", "enrollment_token", token.Id, before: null, after: ToDto(token, now));
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedEnrollmentToken(token, secret);
    }

    /// <summary>Revokes the token (revoking a revoked token changes nothing).</summary>
    public async Task<CommandResult<EnrollmentTokenEntity>> RevokeAsync(Caller caller, Guid tokenId, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Admin))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var token = await db.EnrollmentTokens.SingleOrDefaultAsync(t => t.Id == tokenId, cancellationToken);
        if (token is null)
        {
            return CommandRefusal.NotFound("The enrollment token", "enrollmentToken");
        }

        if (token.RevokedAt is null)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var before = ToDto(token, now);
            token.RevokedAt = now;
            audit.Record(caller.Actor, "enrollment_token.revoke", "enrollment_token", token.Id, before, ToDto(token, now));
            await db.SaveChangesAsync(cancellationToken);
        }

        return token;
    }
}
