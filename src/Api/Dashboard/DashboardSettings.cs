using System.Security.Claims;
using Fleet.Api.ApiKeys;
using Fleet.Api.Audit;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Enrollment;
using Fleet.Api.Security;
using Fleet.Api.Users;
using Fleet.Contracts.Rest;
using Fleet.Web.Settings;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// The settings page's data: users, API keys and enrollment tokens, with the same rules, secret handling (random
/// secret shown once, SHA-256 stored) and audit entries as the REST endpoints. Every command checks the caller is an
/// admin again, whatever the page did.
/// </summary>
public sealed class DashboardSettings(
    FleetDbContext db,
    AuditLog audit,
    IPasswordHasher<UserEntity> hasher,
    IHttpContextAccessor http,
    HubSessions hubs,
    TimeProvider clock) : ISettingsQuery, ISettingsCommands
{
    /// <summary>Most rows each list shows (newest first).</summary>
    public const int MaxRows = 200;

    private ClaimsPrincipal Caller => http.HttpContext?.User ?? new ClaimsPrincipal();

    public async Task<SettingsOverview> GetSettingsAsync(CancellationToken cancellationToken)
    {
        var users = await db.Users.AsNoTracking().Where(u => u.DisabledAt == null).OrderBy(u => u.UserName).Take(MaxRows).ToListAsync(cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.Id).Take(MaxRows).ToListAsync(cancellationToken);
        var tokens = await db.EnrollmentTokens.AsNoTracking().OrderByDescending(t => t.Id).Take(MaxRows).ToListAsync(cancellationToken);
        return new SettingsOverview(
            users.Select(u => new UserRow(u.Id, u.UserName, FleetRoles.ToClaim(u.Role), Utc(u.CreatedAt), Utc(u.LastLoginAt))).ToList(),
            keys.Select(k => new ApiKeyRow(k.Id, k.Name, k.Prefix, FleetRoles.ToClaim(k.Role), Utc(k.CreatedAt), Utc(k.LastUsedAt), Utc(k.RevokedAt))).ToList(),
            tokens.Select(t => new EnrollmentTokenRow(t.Id, t.Prefix, t.Description, Utc(t.CreatedAt), Utc(t.ExpiresAt), t.UseCount, t.MaxUses, Utc(t.LastUsedAt), Utc(t.RevokedAt))).ToList());
    }

    public async Task<SettingsResult> CreateUserAsync(string userName, string password, string role, CancellationToken cancellationToken)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        // Login lower-cases the name it is given, so names are stored lower-case.
        var name = userName.Trim().ToLowerInvariant();
        var errors = new Dictionary<string, string[]>();
        if (name.Length is 0 or > UserEntity.UserNameMaxLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@'))
        {
            errors["userName"] = [$"must be 1 to {UserEntity.UserNameMaxLength} letters, digits, '.', '-', '_' or '@'"];
        }

        if (password.Length is < PasswordRules.MinLength or > PasswordRules.MaxLength)
        {
            errors["password"] = [$"must be {PasswordRules.MinLength} to {PasswordRules.MaxLength} characters"];
        }

        if (FleetRoles.TryParse(role) is not { } fleetRole || !FleetRoles.IsUserRole(fleetRole))
        {
            errors["role"] = [$"must be {FleetRoles.UserRolesText}"];
            fleetRole = FleetRole.Viewer;
        }

        if (errors.Count == 0 && await db.Users.AnyAsync(u => u.UserName == name, cancellationToken))
        {
            errors["userName"] = [$"'{name}' exists already"];
        }

        if (errors.Count > 0)
        {
            return new SettingsResult(errors);
        }

        var user = new UserEntity
        {
            Id = Guid.CreateVersion7(),
            UserName = name,
            PasswordHash = "",
            Role = fleetRole,
            SecurityStamp = Guid.NewGuid().ToString("N"),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        user.PasswordHash = hasher.HashPassword(user, password);
        db.Users.Add(user);
        audit.Record(Caller, "user.create", "user", user.Id, before: null, after: new { user.UserName, Role = role });
        await db.SaveChangesAsync(cancellationToken);
        return SettingsResult.Ok;
    }

    public async Task<SettingsResult> SetUserRoleAsync(Guid userId, string role, CancellationToken cancellationToken)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        if (FleetRoles.TryParse(role) is not { } fleetRole || !FleetRoles.IsUserRole(fleetRole))
        {
            return SettingsResult.Error("role", $"must be {FleetRoles.UserRolesText}");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId && u.DisabledAt == null, cancellationToken);
        if (user is null)
        {
            return SettingsResult.Error("user", "no such user");
        }

        if (LastAdminRule.TakesAnAdminAway(user.Role, disabled: false, fleetRole, disable: null, delete: false)
            && !await LastAdminRule.AnotherEnabledAdminAsync(db, user.Id, cancellationToken))
        {
            return SettingsResult.Error("role", "the last admin stays admin");
        }

        if (user.Role != fleetRole)
        {
            var before = FleetRoles.ToClaim(user.Role);
            user.Role = fleetRole;
            // Sessions carry the role: a new stamp signs the user out everywhere, so the new role applies at once.
            user.SecurityStamp = Guid.NewGuid().ToString("N");
            audit.Record(Caller, "user.set_role", "user", user.Id, new { Role = before }, new { Role = role });
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        hubs.RevalidateSoon();
        return SettingsResult.Ok;
    }

    public async Task<SettingsResult> DeleteUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId && u.DisabledAt == null, cancellationToken);
        if (user is null)
        {
            return SettingsResult.Error("user", "no such user");
        }

        if (string.Equals(Caller.FindFirstValue(ClaimTypes.NameIdentifier), user.Id.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            return SettingsResult.Error("user", "you cannot delete yourself");
        }

        if (LastAdminRule.TakesAnAdminAway(user.Role, disabled: false, newRole: null, disable: null, delete: true)
            && !await LastAdminRule.AnotherEnabledAdminAsync(db, user.Id, cancellationToken))
        {
            return SettingsResult.Error("user", "the last admin cannot be deleted");
        }

        db.Users.Remove(user);
        audit.Record(Caller, "user.delete", "user", user.Id, new { user.UserName, Role = FleetRoles.ToClaim(user.Role) }, after: null);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        hubs.RevalidateSoon();
        return SettingsResult.Ok;
    }

    public async Task<SettingsResult> CreateApiKeyAsync(string name, string role, CancellationToken cancellationToken)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl))
        {
            errors["name"] = ["must be 1 to 100 characters without control characters"];
        }

        if (FleetRoles.TryParse(role) is not { } fleetRole || !FleetRoles.IsApiKeyRole(fleetRole))
        {
            errors["role"] = [$"must be {FleetRoles.ApiKeyRolesText}"];
            fleetRole = FleetRole.Viewer;
        }

        if (errors.Count > 0)
        {
            return new SettingsResult(errors);
        }

        var secret = Secrets.Generate(Secrets.ApiKeyPrefix);
        var key = new ApiKeyEntity
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            Role = fleetRole,
            SecretHash = Secrets.Hash(secret),
            Prefix = Secrets.DisplayPrefix(secret),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            CreatedBy = Caller.ToActor(),
        };
        db.ApiKeys.Add(key);
        audit.Record(Caller, "api_key.create", "api_key", key.Id, before: null, after: ApiKeysApi.ToDto(key));
        await db.SaveChangesAsync(cancellationToken);
        return SettingsResult.WithSecret(secret);
    }

    public async Task<SettingsResult> RevokeApiKeyAsync(Guid apiKeyId, CancellationToken cancellationToken)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == apiKeyId, cancellationToken);
        if (key is null)
        {
            return SettingsResult.Error("apiKey", "no such API key");
        }

        if (key.RevokedAt is null)
        {
            var before = ApiKeysApi.ToDto(key);
            key.RevokedAt = clock.GetUtcNow().UtcDateTime;
            audit.Record(Caller, "api_key.revoke", "api_key", key.Id, before, ApiKeysApi.ToDto(key));
            await db.SaveChangesAsync(cancellationToken);
            hubs.RevalidateSoon();
        }

        return SettingsResult.Ok;
    }

    public async Task<SettingsResult> CreateEnrollmentTokenAsync(string? description, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        if (description is { } text && (text.Length > 200 || text.Any(char.IsControl)))
        {
            return SettingsResult.Error("description", "must be at most 200 characters without control characters");
        }

        if (validFor.TotalSeconds is < EnrollmentTokensApi.MinLifetimeSeconds or > EnrollmentTokensApi.MaxLifetimeSeconds)
        {
            return SettingsResult.Error("validFor", "must be between a minute and 30 days");
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
            CreatedBy = Caller.ToActor(),
            ExpiresAt = now + validFor,
            MaxUses = 1,
        };
        db.EnrollmentTokens.Add(token);
        audit.Record(Caller, "enrollment_token.create", "enrollment_token", token.Id, before: null, after: EnrollmentTokensApi.ToDto(token, now));
        await db.SaveChangesAsync(cancellationToken);
        return SettingsResult.WithSecret(secret);
    }

    public async Task<SettingsResult> RevokeEnrollmentTokenAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        if (Refused() is { } refused)
        {
            return refused;
        }

        var token = await db.EnrollmentTokens.SingleOrDefaultAsync(t => t.Id == tokenId, cancellationToken);
        if (token is null)
        {
            return SettingsResult.Error("enrollmentToken", "no such enrollment token");
        }

        if (token.RevokedAt is null)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var before = EnrollmentTokensApi.ToDto(token, now);
            token.RevokedAt = now;
            audit.Record(Caller, "enrollment_token.revoke", "enrollment_token", token.Id, before, EnrollmentTokensApi.ToDto(token, now));
            await db.SaveChangesAsync(cancellationToken);
        }

        return SettingsResult.Ok;
    }

    private SettingsResult? Refused() =>
        Caller.GetFleetRole() == FleetRole.Admin ? null : SettingsResult.Error("", "only admins may change settings");

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? time) => time is { } t ? Utc(t) : null;
}
