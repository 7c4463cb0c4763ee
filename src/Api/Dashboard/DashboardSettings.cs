using System.Security.Claims;
using Fleet.Api.ApiKeys;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Enrollment;
using Fleet.Api.Security;
using Fleet.Api.Users;
using Fleet.Web.Settings;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// The settings page's data: users, API keys and enrollment tokens. Its commands are the settings page's door to
/// <see cref="UserCommands"/>, <see cref="ApiKeyCommands"/> and <see cref="EnrollmentTokenCommands"/> (the commands
/// behind the REST endpoints, which check the caller is an admin again, whatever the page did); their results are
/// read as <see cref="SettingsResult"/>s.
/// </summary>
public sealed class DashboardSettings(
    FleetDbContext db,
    UserCommands users,
    ApiKeyCommands apiKeys,
    EnrollmentTokenCommands enrollmentTokens,
    IHttpContextAccessor http) : ISettingsQuery, ISettingsCommands
{
    /// <summary>Most rows each list shows (newest first).</summary>
    public const int MaxRows = 200;

    private Caller Caller => Caller.Of(http.HttpContext?.User ?? new ClaimsPrincipal());

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

    public async Task<SettingsResult> CreateUserAsync(string userName, string password, string role, CancellationToken cancellationToken) =>
        ToSettings(await users.CreateAsync(Caller, userName, password, FleetRoles.TryParse(role), cancellationToken));

    public async Task<SettingsResult> SetUserRoleAsync(Guid userId, string role, CancellationToken cancellationToken)
    {
        // For the command a missing role means "unchanged"; here the form sent one the command must refuse.
        if (FleetRoles.TryParse(role) is not { } fleetRole)
        {
            return SettingsResult.Error("role", UserCommands.RoleRule);
        }

        return ToSettings(await users.UpdateAsync(Caller, userId, fleetRole, password: null, disabled: null, cancellationToken));
    }

    public async Task<SettingsResult> DeleteUserAsync(Guid userId, CancellationToken cancellationToken) =>
        ToSettings(await users.DeleteAsync(Caller, userId, cancellationToken));

    public async Task<SettingsResult> CreateApiKeyAsync(string name, string role, CancellationToken cancellationToken)
    {
        var result = await apiKeys.CreateAsync(Caller, name, FleetRoles.TryParse(role), expiresAt: null, cancellationToken);
        return result.Value is { } issued ? SettingsResult.WithSecret(issued.Secret) : ToSettings(result);
    }

    public async Task<SettingsResult> RevokeApiKeyAsync(Guid apiKeyId, CancellationToken cancellationToken) =>
        ToSettings(await apiKeys.RevokeAsync(Caller, apiKeyId, cancellationToken));

    public async Task<SettingsResult> CreateEnrollmentTokenAsync(string? description, TimeSpan validFor, CancellationToken cancellationToken)
    {
        // One-time tokens; a lifetime beyond int seconds is out of range anyway and is refused as such.
        var seconds = (int)Math.Clamp(Math.Ceiling(validFor.TotalSeconds), int.MinValue, int.MaxValue);
        var result = await enrollmentTokens.CreateAsync(Caller, description, seconds, maxUses: 1, cancellationToken);
        return result.Value is { } issued ? SettingsResult.WithSecret(issued.Secret) : ToSettings(result);
    }

    public async Task<SettingsResult> RevokeEnrollmentTokenAsync(Guid tokenId, CancellationToken cancellationToken) =>
        ToSettings(await enrollmentTokens.RevokeAsync(Caller, tokenId, cancellationToken));

    /// <summary>A command's result as the page shows it: field errors as they are, a refusal next to its field.</summary>
    private static SettingsResult ToSettings<T>(CommandResult<T> result)
        where T : class
    {
        if (result.Errors is { } errors)
        {
            return new SettingsResult(errors);
        }

        return result.Refusal is { } refusal ? SettingsResult.Error(refusal.Field ?? "", refusal.Detail) : SettingsResult.Ok;
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? time) => time is { } t ? Utc(t) : null;
}
