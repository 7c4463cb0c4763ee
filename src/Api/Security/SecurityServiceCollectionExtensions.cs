using System.Security.Claims;
using System.Threading.RateLimiting;
using Fleet.Api.Account;
using Fleet.Api.Common;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Links;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Fleet.Api.Security;

/// <summary>Authentication (bearer secrets, cookie login), role policies, rate limits and antiforgery.</summary>
public static class SecurityServiceCollectionExtensions
{
    /// <summary>Rate-limiter policy of the login form.</summary>
    public const string LoginRateLimit = "fleet:login";

    /// <summary>Rate-limiter policy of agent enrollment.</summary>
    public const string EnrollRateLimit = "fleet:enroll";

    public static IServiceCollection AddFleetSecurity(this IServiceCollection services, IHostEnvironment environment)
    {
        services.AddSingleton<IPasswordHasher<UserEntity>, PasswordHasher<UserEntity>>();
        services.AddSingleton<LoginThrottle>();

        // Hub connections end with what authenticated them: a filter on every hub registers them, a loop revalidates.
        services.AddSingleton<HubSessions>();
        services.AddHostedService(sp => sp.GetRequiredService<HubSessions>());
        services.Configure<HubOptions>(o => o.AddFilter<HubSessions>());

        // Outside Development cookies are Secure whatever scheme the Api sees: behind a TLS-terminating proxy that is
        // not listed in KnownProxies the Api sees http, yet the browser spoke https. Development keeps plain-http
        // logins working (the original scheme, from a known proxy, decides there).
        var secure = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

        // Cookies, antiforgery tokens and striper keys are protected with a key ring every replica shares, kept in
        // the database and encrypted there with the configured certificate.
        services.AddDataProtection().SetApplicationName("fleet");
        KeyRingEncryption.AddTo(services);
        services.AddSingleton<StriperKeyProtection>();

        services.AddAuthentication(FleetAuthenticationSchemes.Default)
            .AddPolicyScheme(FleetAuthenticationSchemes.Default, "Bearer secret or cookie", o =>
                o.ForwardDefaultSelector = context => BearerSecretHandler.TryReadBearer(context.Request, out _)
                    ? FleetAuthenticationSchemes.Bearer
                    : FleetAuthenticationSchemes.Cookie)
            .AddScheme<AuthenticationSchemeOptions, BearerSecretHandler>(FleetAuthenticationSchemes.Bearer, null)
            .AddCookie(FleetAuthenticationSchemes.Cookie, o => ConfigureCookie(o, secure));
        services.AddOptions<CookieAuthenticationOptions>(FleetAuthenticationSchemes.Cookie)
            .Configure<IOptions<FleetOptions>>((o, fleet) => o.ExpireTimeSpan = fleet.Value.Security.SessionIdleTimeout);

        services.AddAuthorizationBuilder()
            .AddPolicy(FleetPolicies.Viewer, p => p.RequireRole(FleetRoles.Viewer, FleetRoles.Operator, FleetRoles.Admin))
            .AddPolicy(FleetPolicies.Operator, p => p.RequireRole(FleetRoles.Operator, FleetRoles.Admin))
            .AddPolicy(FleetPolicies.Admin, p => p.RequireRole(FleetRoles.Admin))
            .AddPolicy(FleetPolicies.Agent, p => p.RequireRole(FleetRoles.Agent).RequireClaim(FleetClaims.HostId))
            .AddPolicy(FleetPolicies.Metrics, p => p.RequireRole(FleetRoles.Metrics).RequireClaim(FleetClaims.Kind, PrincipalKinds.ApiKey))
            .SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireRole(FleetRoles.Viewer, FleetRoles.Operator, FleetRoles.Admin).Build())

            // Secure by default: an endpoint that names no policy still needs a user or API key (agents included out).
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireRole(FleetRoles.Viewer, FleetRoles.Operator, FleetRoles.Admin).Build());

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = ".fleet.af";
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;

            // Not Always: antiforgery refuses to work at all on a request it sees as http with that policy, and its
            // token is worth nothing without the session cookie, which is Secure.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = "Slow down and retry later.",
                    },
                });
            };
            o.AddPolicy(LoginRateLimit, context => PerClient(context, limits => limits.LoginPerMinute));
            o.AddPolicy(EnrollRateLimit, context => PerClient(context, limits => limits.EnrollPerMinute));
        });

        return services;
    }

    private static RateLimitPartition<string> PerClient(HttpContext context, Func<RateLimitOptions, int> permits)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<FleetOptions>>().Value.RateLimits;
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits(limits),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
    }

    private static void ConfigureCookie(CookieAuthenticationOptions o, CookieSecurePolicy secure)
    {
        o.Cookie.Name = ".fleet.session";
        o.Cookie.HttpOnly = true;

        // Strict: the browser never sends the session cookie on cross-site requests, which is what keeps the
        // cookie-authenticated JSON API safe from CSRF (forms additionally carry antiforgery tokens).
        o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
        o.Cookie.SecurePolicy = secure;

        // Idle timeout (ExpireTimeSpan) from Fleet:Security; the absolute lifetime is checked in ValidateUserAsync.
        o.SlidingExpiration = true;
        o.LoginPath = "/account/login";
        o.LogoutPath = "/account/logout";
        o.AccessDeniedPath = "/account/login";
        o.ReturnUrlParameter = "returnUrl";
        o.Events = new CookieAuthenticationEvents
        {
            OnRedirectToLogin = context => RequestKinds.IsApi(context.Request)
                ? WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Authentication required", "Send a valid API key as 'Authorization: Bearer fleet_k_…', or log in.")
                : Redirect(context),
            OnRedirectToAccessDenied = context => RequestKinds.IsApi(context.Request)
                ? WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "Your role does not allow this request.")
                : Forbid(context),
            OnValidatePrincipal = ValidateUserAsync,
        };
    }

    /// <summary>A cookie stays valid only while <see cref="SessionRules.IsValid"/> says so.</summary>
    private static async Task ValidateUserAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        if (principal is null || !Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            context.RejectPrincipal();
            return;
        }

        var services = context.HttpContext.RequestServices;
        var db = services.GetRequiredService<FleetDbContext>();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, context.HttpContext.RequestAborted);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (!SessionRules.IsValid(principal, user, now, services.GetRequiredService<IOptions<FleetOptions>>().Value.Security))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(FleetAuthenticationSchemes.Cookie);
        }
    }

    /// <summary>
    /// A page the user's role does not allow: the status alone, so that the status-code pages answer a browser with the
    /// dashboard's own 403 page and anything else (a forged form post) with ProblemDetails.
    /// </summary>
    private static Task Forbid(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.Append(HeaderNames.WWWAuthenticate, "Bearer");
        }

        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
