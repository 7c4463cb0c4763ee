using System.Globalization;
using System.Security.Claims;
using Fleet.Api.Configuration;
using Fleet.Api.Data.Entities;

namespace Fleet.Api.Security;

/// <summary>
/// When a dashboard session (cookie) is still good: its user exists, is enabled, has the security stamp the session was
/// issued with (a role or password change, or disabling, renews the stamp), and the login is younger than
/// <see cref="SecurityOptions.SessionLifetime"/> however often the session was used. The cookie handler checks this on
/// every request, the hub revalidation for open connections.
/// </summary>
public static class SessionRules
{
    /// <summary>The login time to put in a new session (<see cref="FleetClaims.AuthTime"/>: Unix seconds).</summary>
    public static Claim AuthTimeClaim(DateTimeOffset now) =>
        new(FleetClaims.AuthTime, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64);

    /// <summary>When the session's user logged in, or null for a session without that claim (issued before it existed).</summary>
    public static DateTimeOffset? AuthTime(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(FleetClaims.AuthTime), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    /// <summary>
    /// True when the session of <paramref name="principal"/> is still good for <paramref name="user"/> (null: gone).
    /// A session without a login time counts as expired: it was issued before lifetimes were kept.
    /// </summary>
    public static bool IsValid(ClaimsPrincipal principal, UserEntity? user, DateTimeOffset now, SecurityOptions options) =>
        user is { DisabledAt: null }
        && principal.FindFirstValue(FleetClaims.SecurityStamp) == user.SecurityStamp
        && AuthTime(principal) is { } login
        && now - login < options.SessionLifetime;
}
