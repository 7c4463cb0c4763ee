using System.Security.Claims;
using System.Threading.RateLimiting;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
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

    public static IServiceCollection AddFleetSecurity(this IServiceCollection services)
    {
        services.AddSingleton<IPasswordHasher<UserEntity>, PasswordHasher<UserEntity>>();

        // Cookies and antiforgery tokens are protected with a key ring every replica shares, kept in the database.
        services.AddDataProtection().SetApplicationName("fleet");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
            o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IDbContextFactory<FleetDbContext>>())));

        services.AddAuthentication(FleetAuthenticationSchemes.Default)
            .AddPolicyScheme(FleetAuthenticationSchemes.Default, "Bearer secret or cookie", o =>
                o.ForwardDefaultSelector = context => BearerSecretHandler.TryReadBearer(context.Request, out _)
                    ? FleetAuthenticationSchemes.Bearer
                    : FleetAuthenticationSchemes.Cookie)
            .AddScheme<AuthenticationSchemeOptions, BearerSecretHandler>(FleetAuthenticationSchemes.Bearer, null)
            .AddCookie(FleetAuthenticationSchemes.Cookie, ConfigureCookie);

        services.AddAuthorizationBuilder()
            .AddPolicy(FleetPolicies.Viewer, p => p.RequireRole(FleetRoles.Viewer, FleetRoles.Operator, FleetRoles.Admin))
            .AddPolicy(FleetPolicies.Operator, p => p.RequireRole(FleetRoles.Operator, FleetRoles.Admin))
            .AddPolicy(FleetPolicies.Admin, p => p.RequireRole(FleetRoles.Admin))
            .AddPolicy(FleetPolicies.Agent, p => p.RequireRole(FleetRoles.Agent).RequireClaim(FleetClaims.HostId))
            .SetDefaultPolicy(new AuthorizationPolicyBuilder().RequireRole(FleetRoles.Viewer, FleetRoles.Operator, FleetRoles.Admin).Build())

            // Secure by default: an endpoint that names no policy still needs a user or API key (agents included out).
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireRole(FleetRoles.Viewer, FleetRoles.Operator, FleetRoles.Admin).Build());

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = ".fleet.af";
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
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

    private static void ConfigureCookie(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = ".fleet.session";
        o.Cookie.HttpOnly = true;

        // Strict: the browser never sends the session cookie on cross-site requests, which is what keeps the
        // cookie-authenticated JSON API safe from CSRF (forms additionally carry antiforgery tokens).
        o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = TimeSpan.FromHours(8);
        o.SlidingExpiration = true;
        o.LoginPath = "/account/login";
        o.LogoutPath = "/account/logout";
        o.AccessDeniedPath = "/account/login";
        o.ReturnUrlParameter = "returnUrl";
        o.Events = new CookieAuthenticationEvents
        {
            OnRedirectToLogin = context => IsApiRequest(context.Request)
                ? WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Authentication required", "Send a valid API key as 'Authorization: Bearer fleet_k_…', or log in.")
                : Redirect(context),
            OnRedirectToAccessDenied = context => IsApiRequest(context.Request)
                ? WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "Your role does not allow this request.")
                : WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "Your role does not allow this page."),
            OnValidatePrincipal = ValidateUserAsync,
        };
    }

    /// <summary>A cookie stays valid only while its user exists, is enabled and has the same security stamp.</summary>
    private static async Task ValidateUserAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var stamp = principal?.FindFirstValue(FleetClaims.SecurityStamp);
        if (principal is null || !Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var userId) || stamp is null)
        {
            context.RejectPrincipal();
            return;
        }

        var db = context.HttpContext.RequestServices.GetRequiredService<FleetDbContext>();
        var valid = await db.Users.AsNoTracking()
            .AnyAsync(u => u.Id == userId && u.DisabledAt == null && u.SecurityStamp == stamp, context.HttpContext.RequestAborted);
        if (!valid)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(FleetAuthenticationSchemes.Cookie);
        }
    }

    private static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase);

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
