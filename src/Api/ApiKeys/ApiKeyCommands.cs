using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.ApiKeys;

/// <summary>A new API key and its secret, which exists only here (the database keeps its SHA-256).</summary>
public sealed record IssuedApiKey(ApiKeyEntity Key, string Secret);

/// <summary>
/// The one implementation of issuing and revoking API keys, for every door (REST <c>ApiKeysApi</c>, the dashboard's
/// settings). Admins only. A revoked key stops working at once, on open hub connections too.
/// </summary>
public sealed class ApiKeyCommands(FleetDbContext db, AuditLog audit, HubSessions hubs, TimeProvider clock)
{
    public const int NameMaxLength = 100;

    private const string ForbiddenText = "Only admins may manage API keys.";

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

    /// <summary>A new key with <paramref name="role"/> (null stands for a role the door could not read).</summary>
    public async Task<CommandResult<IssuedApiKey>> CreateAsync(
        Caller caller, string? name, FleetRole? role, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Admin))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(name) || name.Length > NameMaxLength || name.Any(char.IsControl))
        {
            errors["name"] = [$"must be 1 to {NameMaxLength} characters without control characters"];
        }

        if (role is not { } keyRole || !FleetRoles.IsApiKeyRole(keyRole))
        {
            errors["role"] = [$"must be {FleetRoles.ApiKeyRolesText}"];
            keyRole = default;
        }

        if (expiresAt is { } expires && expires.UtcDateTime <= now)
        {
            errors["expiresAt"] = ["must be in the future"];
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        var secret = Secrets.Generate(Secrets.ApiKeyPrefix);
        var key = new ApiKeyEntity
        {
            Id = Guid.CreateVersion7(),
            Name = name!,
            Role = keyRole,
            SecretHash = Secrets.Hash(secret),
            Prefix = Secrets.DisplayPrefix(secret),
            CreatedAt = now,
            CreatedBy = caller.Actor,
            ExpiresAt = expiresAt?.UtcDateTime,
        };
        db.ApiKeys.Add(key);
        audit.Record(caller.Actor, "api_key.create", "api_key", key.Id, before: null, after: ToDto(key));
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedApiKey(key, secret);
    }

    /// <summary>Revokes the key (revoking a revoked key changes nothing).</summary>
    public async Task<CommandResult<ApiKeyEntity>> RevokeAsync(Caller caller, Guid apiKeyId, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Admin))
        {
            return CommandRefusal.Forbidden(ForbiddenText);
        }

        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == apiKeyId, cancellationToken);
        if (key is null)
        {
            return CommandRefusal.NotFound("The API key", "apiKey");
        }

        if (key.RevokedAt is null)
        {
            var before = ToDto(key);
            key.RevokedAt = clock.GetUtcNow().UtcDateTime;
            audit.Record(caller.Actor, "api_key.revoke", "api_key", key.Id, before, ToDto(key));
            await db.SaveChangesAsync(cancellationToken);
            hubs.RevalidateSoon();
        }

        return key;
    }
}
