using System.Security.Claims;
using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Fleet.Web.Account;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Account;

/// <summary>The login form's fields (<c>application/x-www-form-urlencoded</c>, with the antiforgery token).</summary>
public sealed class LoginForm
{
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>Local path to return to after login; anything else is ignored.</summary>
    public string? ReturnUrl { get; set; }
}

/// <summary>
/// Cookie login for the dashboard: <c>POST /account/login</c> (form, antiforgery, rate-limited) and
/// <c>POST /account/logout</c>; <c>GET /api/v1/me</c> says who is calling. The login page itself is rendered by the
/// dashboard (<c>GET /account/login</c>, Web/Account).
/// </summary>
public static partial class AccountEndpoints
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The dashboard's sign-in form posts (antiforgery token from the login page, answered with a redirect either
        // way), documented in docs/rest-api.md but not in the REST API's description: automation uses API keys.
        var account = endpoints.MapGroup("/account").AllowAnonymous().ExcludeFromDescription();
        account.MapPost("/login", LoginAsync)
            .RequireRateLimiting(SecurityServiceCollectionExtensions.LoginRateLimit)
            .WithName("Login")
            .WithSummary("Log in with a user name and password (form post with antiforgery token); sets the session cookie.");
        account.MapPost("/logout", (Delegate)LogoutAsync)
            .WithName("Logout")
            .WithSummary("Log out (form post with antiforgery token); clears the session cookie.");
        return endpoints;
    }

    public static RouteGroupBuilder MapCallerApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new CallerDto(
                user.Identity?.Name ?? "",
                user.GetFleetRole() ?? FleetRole.Viewer,
                user.FindFirstValue(FleetClaims.Kind) ?? "")))
            .WithTags("Account")
            .WithName("GetCaller")
            .WithSummary("Who is calling, with which role.");
        return api;
    }

    /// <summary>
    /// The login page again, saying why, with the user name typed (a well-formed one only) so that only the password
    /// needs typing again; never the password.
    /// </summary>
    private static string FailedLogin(string error, string returnUrl, string userName)
    {
        var keep = userName.Length is > 0 and <= UserEntity.UserNameMaxLength && userName.All(c => !char.IsControl(c))
            ? $"&user={Uri.EscapeDataString(userName)}"
            : "";
        return $"{LoginPath}?error={error}&returnUrl={Uri.EscapeDataString(returnUrl)}{keep}";
    }

    private static async Task<RedirectHttpResult> LoginAsync(
        [FromForm] LoginForm form,
        HttpContext context,
        FleetDbContext db,
        IPasswordHasher<UserEntity> hasher,
        LoginThrottle throttle,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger(typeof(AccountEndpoints));
        var returnUrl = LocalUrl.ForRedirect(form.ReturnUrl);
        var userName = (form.UserName ?? "").Trim().ToLowerInvariant();
        var password = form.Password ?? "";
        if (!throttle.TryAttempt(userName.Length > UserEntity.UserNameMaxLength ? userName[..UserEntity.UserNameMaxLength] : userName))
        {
            LogLoginThrottled(logger, AgentText.SingleLine(userName, 64), context.Connection.RemoteIpAddress?.ToString());
            return TypedResults.Redirect(FailedLogin("locked", returnUrl, userName));
        }

        var user = userName.Length is > 0 and <= UserEntity.UserNameMaxLength && password.Length <= PasswordRules.MaxLength
            ? await db.Users.SingleOrDefaultAsync(u => u.UserName == userName, cancellationToken)
            : null;

        // Verify against a throw-away hash for unknown users too, so timing does not tell which names exist.
        var result = user is null
            ? Verify(hasher, s_unknownUser, s_unknownUserHash.Value, password)
            : hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (user is null || user.DisabledAt is not null || result == PasswordVerificationResult.Failed)
        {
            LogLoginFailed(logger, AgentText.SingleLine(userName, 64), context.Connection.RemoteIpAddress?.ToString());
            return TypedResults.Redirect(FailedLogin("invalid", returnUrl, userName));
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = hasher.HashPassword(user, password);
        }

        var now = timeProvider.GetUtcNow();
        user.LastLoginAt = now.UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);

        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new(ClaimTypes.Name, user.UserName),
            new(ClaimTypes.Role, FleetRoles.ToClaim(user.Role)),
            new(FleetClaims.Kind, PrincipalKinds.User),
            new(FleetClaims.SecurityStamp, user.SecurityStamp),
            SessionRules.AuthTimeClaim(now),
        ];
        var identity = new ClaimsIdentity(claims, FleetAuthenticationSchemes.Cookie, ClaimTypes.Name, ClaimTypes.Role);
        await context.SignInAsync(FleetAuthenticationSchemes.Cookie, new ClaimsPrincipal(identity));
        LogLoggedIn(logger, user.UserName);
        return TypedResults.Redirect(returnUrl);
    }

    /// <summary>
    /// Signs out only with a valid antiforgery token: the endpoint binds no form, so the antiforgery middleware leaves
    /// the check to it, and without it any site could sign a user out with a planted form (login CSRF's twin).
    /// </summary>
    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> LogoutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Bad request",
                detail: "The sign-out form's antiforgery token is missing or invalid.");
        }

        await context.SignOutAsync(FleetAuthenticationSchemes.Cookie);
        return TypedResults.Redirect(LoginPath);
    }

    private static readonly UserEntity s_unknownUser = new() { UserName = "", PasswordHash = "", SecurityStamp = "" };
    private static readonly Lazy<string> s_unknownUserHash = new(() => new PasswordHasher<UserEntity>().HashPassword(s_unknownUser, "not a password"));

    private static PasswordVerificationResult Verify(IPasswordHasher<UserEntity> hasher, UserEntity user, string hash, string password)
    {
        hasher.VerifyHashedPassword(user, hash, password);
        return PasswordVerificationResult.Failed;
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Login failed for '{UserName}' from {RemoteAddress}")]
    private static partial void LogLoginFailed(ILogger logger, string userName, string? remoteAddress);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Login for '{UserName}' refused: too many attempts for this account (latest from {RemoteAddress})")]
    private static partial void LogLoginThrottled(ILogger logger, string userName, string? remoteAddress);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "User '{UserName}' logged in")]
    private static partial void LogLoggedIn(ILogger logger, string userName);
}
