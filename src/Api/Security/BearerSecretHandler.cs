using System.Security.Claims;
using System.Text.Encodings.Web;
using Fleet.Api.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Fleet.Api.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer SECRET</c>: API keys (<c>fleet_k_…</c>, role from the key) and agent
/// credentials (<c>fleet_a_…</c>, role <c>agent</c>, claim <c>fleet:host_id</c>). Secrets are looked up by their
/// SHA-256; revoked or expired keys, revoked credentials and decommissioned hosts fail. The last-used time is
/// written at most once a minute per secret so reads stay reads. The lookup uses its own short-lived context, returned
/// to the pool before the request goes on.
/// </summary>
internal sealed partial class BearerSecretHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    TimeProvider timeProvider,
    IProblemDetailsService problemDetails)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private static readonly TimeSpan s_lastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryReadBearer(Request, out var secret))
        {
            return AuthenticateResult.NoResult();
        }

        // A short-lived context, not the request's: a hub connection's request lasts as long as the connection, and
        // nothing of its authentication may stay tied to it (issue 21).
        await using var db = await Context.RequestServices.GetRequiredService<IDbContextFactory<FleetDbContext>>().CreateDbContextAsync(Context.RequestAborted);
        var now = timeProvider.GetUtcNow().UtcDateTime;
        if (Secrets.IsWellFormed(secret, Secrets.ApiKeyPrefix))
        {
            return await AuthenticateApiKeyAsync(db, Secrets.Hash(secret), now);
        }

        if (Secrets.IsWellFormed(secret, Secrets.AgentCredentialPrefix))
        {
            return await AuthenticateAgentAsync(db, Secrets.Hash(secret), now);
        }

        return Fail("unrecognised bearer token");
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, "Bearer");
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Authentication required", "Send a valid API key as 'Authorization: Bearer fleet_k_…', or log in.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "The credential's role does not allow this request.");
    }

    internal static bool TryReadBearer(HttpRequest request, out string secret)
    {
        secret = "";
        string? header = request.Headers.Authorization;
        const string scheme = "Bearer ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        secret = header[scheme.Length..].Trim();
        return true;
    }

    private async Task<AuthenticateResult> AuthenticateApiKeyAsync(FleetDbContext db, string hash, DateTime now)
    {
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.SecretHash == hash, Context.RequestAborted);
        if (key is null || !CredentialRules.IsUsable(key, now))
        {
            return Fail("unknown, revoked or expired API key");
        }

        if (key.LastUsedAt is null || key.LastUsedAt < now - s_lastUsedResolution)
        {
            var threshold = now - s_lastUsedResolution;
            await db.ApiKeys.Where(k => k.Id == key.Id && (k.LastUsedAt == null || k.LastUsedAt < threshold))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
        }

        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, key.Id.ToString()),
            new(ClaimTypes.Name, key.Name),
            new(ClaimTypes.Role, FleetRoles.ToClaim(key.Role)),
            new(FleetClaims.Kind, PrincipalKinds.ApiKey),
        ];
        return Success(claims);
    }

    private async Task<AuthenticateResult> AuthenticateAgentAsync(FleetDbContext db, string hash, DateTime now)
    {
        var credential = await db.AgentCredentials.AsNoTracking()
            .Where(c => c.SecretHash == hash)
            .Select(c => new { c.Id, c.HostId, c.RevokedAt, c.LastUsedAt, Decommissioned = db.Hosts.Any(h => h.Id == c.HostId && h.DecommissionedAt != null) })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (credential is null || credential.RevokedAt is not null || credential.Decommissioned)
        {
            return Fail("unknown or revoked agent credential");
        }

        if (credential.LastUsedAt is null || credential.LastUsedAt < now - s_lastUsedResolution)
        {
            var threshold = now - s_lastUsedResolution;
            await db.AgentCredentials.Where(c => c.Id == credential.Id && (c.LastUsedAt == null || c.LastUsedAt < threshold))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, now), Context.RequestAborted);
        }

        var hostId = credential.HostId.ToString();
        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, credential.Id.ToString()),
            new(ClaimTypes.Name, $"agent:{hostId}"),
            new(ClaimTypes.Role, FleetRoles.Agent),
            new(FleetClaims.Kind, PrincipalKinds.Agent),
            new(FleetClaims.HostId, hostId),
        ];
        return Success(claims);
    }

    private AuthenticateResult Success(Claim[] claims)
    {
        var identity = new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private AuthenticateResult Fail(string reason)
    {
        LogRejected(Logger, reason, Context.Connection.RemoteIpAddress?.ToString());
        return AuthenticateResult.Fail(reason);
    }

    private Task WriteProblemAsync(int status, string title, string detail) =>
        problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Bearer token rejected: {Reason} (client {RemoteAddress})")]
    private static partial void LogRejected(ILogger logger, string reason, string? remoteAddress);
}
