using Fleet.Api.Common;
using Fleet.Api.Audit;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Enrollment;

/// <summary>
/// <c>POST /api/v1/agents/enroll</c>: anonymous and rate-limited. An agent trades an enrollment token for a new host
/// and its agent credential (shown once). The token's use count is taken atomically
/// (<c>UPDATE … WHERE use_count &lt; max_uses AND not revoked AND not expired</c>) in the same transaction that creates
/// the host, so a one-time token enrolls exactly one host even under concurrent attempts.
/// </summary>
public static partial class EnrollApi
{
    public const string Path = "/agents/enroll";

    public static RouteGroupBuilder MapEnrollApi(this RouteGroupBuilder api)
    {
        api.MapPost(Path, EnrollAsync)
            .AllowAnonymous()
            .RequireRateLimiting(SecurityServiceCollectionExtensions.EnrollRateLimit)
            .WithTags("Agents")
            .WithName("EnrollAgent").ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status413PayloadTooLarge)
            .WithSummary("Enroll a host with an enrollment token; returns the host id and the agent credential (shown once).")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return api;
    }

    private static async Task<Results<Created<EnrollResponse>, ValidationProblem, ProblemHttpResult>> EnrollAsync(
        EnrollRequest request,
        FleetDbContext db,
        AuditLog audit,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Secrets.IsWellFormed(request.Token, Secrets.EnrollmentTokenPrefix))
        {
            errors["token"] = [$"must be an enrollment token ({Secrets.EnrollmentTokenPrefix}…)"];
        }

        if (HostNames.CheckHostname(request.Hostname) is { } hostnameError)
        {
            errors["hostname"] = [hostnameError];
        }

        if (request.Name is not null && HostNames.CheckDisplayName(request.Name) is { } nameError)
        {
            errors["name"] = [nameError];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var logger = loggerFactory.CreateLogger(typeof(EnrollApi));
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var hash = Secrets.Hash(request.Token);
        var token = await db.EnrollmentTokens.AsNoTracking().SingleOrDefaultAsync(t => t.SecretHash == hash, cancellationToken);
        if (token is null)
        {
            LogRefused(logger, "unknown token", request.Hostname);
            return Problem(StatusCodes.Status401Unauthorized, "Unknown enrollment token", "The enrollment token is not known.");
        }

        if (EnrollmentTokenState.Of(token, now) is var state && state != EnrollmentTokenState.Active)
        {
            LogRefused(logger, state, request.Hostname);
            return Problem(StatusCodes.Status403Forbidden, "Enrollment token not usable", $"The enrollment token is {state}.");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var taken = await db.EnrollmentTokens
            .Where(t => t.Id == token.Id && t.RevokedAt == null && t.ExpiresAt > now && t.UseCount < t.MaxUses)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UseCount, t => t.UseCount + 1).SetProperty(t => t.LastUsedAt, now), cancellationToken);
        if (taken == 0)
        {
            LogRefused(logger, EnrollmentTokenState.Exhausted, request.Hostname);
            return Problem(StatusCodes.Status403Forbidden, "Enrollment token not usable", $"The enrollment token is {EnrollmentTokenState.Exhausted}.");
        }

        var host = new HostEntity
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name ?? request.Hostname,
            Hostname = request.Hostname,
            EnrolledAt = now,
        };
        var secret = Secrets.Generate(Secrets.AgentCredentialPrefix);
        var credential = new AgentCredentialEntity
        {
            Id = Guid.CreateVersion7(),
            HostId = host.Id,
            SecretHash = Secrets.Hash(secret),
            Prefix = Secrets.DisplayPrefix(secret),
            EnrollmentTokenId = token.Id,
            CreatedAt = now,
        };
        db.Hosts.Add(host);
        db.AgentCredentials.Add(credential);
        audit.Record($"enrollment_token:{token.Prefix}", "host.enroll", "host", host.Id, before: null, after: new { host.Name, host.Hostname, enrollmentTokenId = token.Id, credentialPrefix = credential.Prefix });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogEnrolled(logger, host.Id, host.Hostname, token.Prefix);
        return TypedResults.Created($"/api/v1/hosts/{host.Id}", new EnrollResponse(host.Id, secret));
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Enrollment refused ({Reason}) for hostname '{Hostname}'")]
    private static partial void LogRefused(ILogger logger, string reason, string hostname);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Host {HostId} ('{Hostname}') enrolled with token {TokenPrefix}")]
    private static partial void LogEnrolled(ILogger logger, Guid hostId, string hostname, string tokenPrefix);
}

/// <summary>Where an enrollment token stands.</summary>
public static class EnrollmentTokenState
{
    public const string Active = "active";
    public const string Expired = "expired";
    public const string Exhausted = "exhausted";
    public const string Revoked = "revoked";

    public static string Of(EnrollmentTokenEntity token, DateTime now) =>
        token.RevokedAt is not null ? Revoked
        : token.ExpiresAt <= now ? Expired
        : token.UseCount >= token.MaxUses ? Exhausted
        : Active;
}

/// <summary>Checks of host names and display names.</summary>
public static class HostNames
{
    /// <summary>RFC 1123 host name (letters, digits, hyphens, dots; labels 1–63, total 1–253), or an error.</summary>
    public static string? CheckHostname(string? hostname)
    {
        if (string.IsNullOrEmpty(hostname) || hostname.Length > HostEntity.HostnameMaxLength)
        {
            return $"must be 1 to {HostEntity.HostnameMaxLength} characters";
        }

        foreach (var label in hostname.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return "must be a host name: dot-separated labels of 1–63 letters, digits, '-' or '_', not starting or ending with '-'";
            }
        }

        return null;
    }

    /// <summary>A display name: 1–200 characters, no control characters, not blank.</summary>
    public static string? CheckDisplayName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > HostEntity.NameMaxLength)
        {
            return $"must be 1 to {HostEntity.NameMaxLength} characters and not blank";
        }

        return name.Any(char.IsControl) ? "must not contain control characters" : null;
    }
}
