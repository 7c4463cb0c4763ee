using System.Security.Claims;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Security;

/// <summary>Claim types Fleet puts on its principals (besides <see cref="ClaimTypes.Name"/>, <see cref="ClaimTypes.Role"/>).</summary>
public static class FleetClaims
{
    /// <summary>The host an agent credential belongs to (agents only).</summary>
    public const string HostId = "fleet:host_id";

    /// <summary>What authenticated: <see cref="PrincipalKinds"/>.</summary>
    public const string Kind = "fleet:kind";

    /// <summary>The user's security stamp when the cookie was issued (cookie logins only).</summary>
    public const string SecurityStamp = "fleet:stamp";

    /// <summary>When the user logged in, in Unix seconds (cookie logins only): the session's absolute lifetime counts from it.</summary>
    public const string AuthTime = "fleet:auth_time";

    /// <summary>The host id of an agent principal, or null for anyone else.</summary>
    public static Guid? GetHostId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(HostId), out var id) ? id : null;

    /// <summary>Who the principal is, as the audit log and policy history record it: <c>user:NAME</c>, <c>api_key:NAME</c>…</summary>
    public static string ToActor(this ClaimsPrincipal principal)
    {
        var kind = principal.FindFirstValue(Kind);
        return kind switch
        {
            PrincipalKinds.User => $"user:{principal.Identity?.Name}",
            PrincipalKinds.ApiKey => $"api_key:{principal.Identity?.Name}",
            PrincipalKinds.Agent => $"agent:{principal.FindFirstValue(HostId)}",
            _ => "anonymous",
        };
    }

    /// <summary>The principal's user role, or null (agents, anonymous).</summary>
    public static FleetRole? GetFleetRole(this ClaimsPrincipal principal) =>
        FleetRoles.TryParse(principal.FindFirstValue(ClaimTypes.Role));
}

/// <summary>Values of <see cref="FleetClaims.Kind"/>.</summary>
public static class PrincipalKinds
{
    public const string User = "user";
    public const string ApiKey = "api_key";
    public const string Agent = "agent";
}

/// <summary>
/// Role claim values. User roles nest: admin ⊃ operator ⊃ viewer. <c>agent</c> and <c>metrics</c> (an API key that
/// may only scrape the live metrics) are separate from all three and from each other.
/// </summary>
public static class FleetRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";
    public const string Metrics = "metrics";
    public const string Agent = "agent";

    /// <summary>What a refused role is told it may be, for users.</summary>
    public const string UserRolesText = "viewer, operator or admin";

    /// <summary>What a refused role is told it may be, for API keys.</summary>
    public const string ApiKeyRolesText = "viewer, operator, admin or metrics";

    public static string ToClaim(FleetRole role) => role switch
    {
        FleetRole.Viewer => Viewer,
        FleetRole.Operator => Operator,
        FleetRole.Admin => Admin,
        FleetRole.Metrics => Metrics,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public static FleetRole? TryParse(string? claim) => claim switch
    {
        Viewer => FleetRole.Viewer,
        Operator => FleetRole.Operator,
        Admin => FleetRole.Admin,
        Metrics => FleetRole.Metrics,
        _ => null,
    };

    /// <summary>Whether a user may have <paramref name="role"/> (every role but metrics, which is for API keys only).</summary>
    public static bool IsUserRole(FleetRole role) => role switch
    {
        FleetRole.Viewer or FleetRole.Operator or FleetRole.Admin => true,
        FleetRole.Metrics => false,

        // A number outside the enum (a forged request).
        _ => false,
    };

    /// <summary>Whether an API key may have <paramref name="role"/> (every defined role).</summary>
    public static bool IsApiKeyRole(FleetRole role) => Enum.IsDefined(role);
}

/// <summary>Authorization policies. Every endpoint names one; the fallback (for anything that names none) is <see cref="Viewer"/>.</summary>
public static class FleetPolicies
{
    /// <summary>Any user or API key of role viewer, operator or admin. Agents and metrics keys are refused.</summary>
    public const string Viewer = "fleet:viewer";

    /// <summary>Operators and admins: change policies.</summary>
    public const string Operator = "fleet:operator";

    /// <summary>Admins: users, keys, enrollment tokens, decommissioning, audit log.</summary>
    public const string Admin = "fleet:admin";

    /// <summary>Agents only (the agent hub): role <c>agent</c> with a <see cref="FleetClaims.HostId"/> claim.</summary>
    public const string Agent = "fleet:agent";

    /// <summary>API keys of role <c>metrics</c> only: the Prometheus scrape endpoint, and nothing else admits them.</summary>
    public const string Metrics = "fleet:metrics";
}

/// <summary>Authentication scheme names.</summary>
public static class FleetAuthenticationSchemes
{
    /// <summary>Chooses <see cref="Bearer"/> when an <c>Authorization: Bearer</c> header is present, else <see cref="Cookie"/>.</summary>
    public const string Default = "Fleet";

    /// <summary>API keys (<c>fleet_k_…</c>) and agent credentials (<c>fleet_a_…</c>).</summary>
    public const string Bearer = "FleetBearer";

    /// <summary>Dashboard users after a form login.</summary>
    public const string Cookie = "FleetCookie";
}
