using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Api.Tests.Security;

/// <summary>The login form as a browser sees it: fetch the form (antiforgery cookie and token), post it.</summary>
internal static partial class LoginForm
{
    public static async Task<string> TokenAsync(HttpClient browser)
    {
        var page = await browser.GetStringAsync(new Uri("account/login", UriKind.Relative), TestContext.Current.CancellationToken);
        var match = AntiforgeryField().Match(page);
        Assert.True(match.Success, page);
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Posts the form (from <paramref name="client"/> as <c>X-Forwarded-For</c>, when given) and returns the response.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient browser, string token, string userName, string password, string? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["userName"] = userName, ["password"] = password, ["returnUrl"] = "/links" }),
        };
        if (client is not null)
        {
            request.Headers.Add("X-Forwarded-For", client);
        }

        return await browser.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Logs in and asserts the redirect to the return URL.</summary>
    public static async Task LoginAsync(HttpClient browser, string userName, string password)
    {
        using var response = await PostAsync(browser, await TokenAsync(browser), userName, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/links", response.Headers.Location?.OriginalString);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

/// <summary>
/// Login throttling per account, on top of the per-client limit: guesses at one account spread over many client
/// addresses (here: behind a known proxy, each with its own X-Forwarded-For) are limited all the same.
/// </summary>
public sealed class LoginThrottleTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Fleet:RateLimits:LoginPerAccountPerMinute"] = "3",
        ["Fleet:ReverseProxy:KnownProxies:0"] = "127.0.0.1",
    };

    [Fact]
    public async Task Login_MoreThanTheAccountLimitFromManyClients_IsRefused_EvenWithTheRightPassword()
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        var token = await LoginForm.TokenAsync(browser);
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await LoginForm.PostAsync(browser, token, "Admin ", "wrong password " + i, client: $"203.0.113.{i + 1}");
            Assert.StartsWith("/account/login?error=invalid", wrong.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        using var right = await LoginForm.PostAsync(browser, token, "admin", FleetApiFactory.AdminPassword, client: "198.51.100.7");

        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.StartsWith("/account/login?error=locked", right.Headers.Location?.OriginalString, StringComparison.Ordinal);
        using var me = await browser.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task Login_OneAccountThrottled_OthersStillLogIn()
    {
        using var admin = Client();
        using (var created = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = "olga", Password = "olga's long password", Role = FleetRole.Viewer }, FleetJson.Options, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var browser = LoopbackBrowser.Create(Api.Start());
        var token = await LoginForm.TokenAsync(browser);
        for (var i = 0; i < 4; i++)
        {
            using var wrong = await LoginForm.PostAsync(browser, token, "admin", "wrong password " + i);
        }

        await LoginForm.LoginAsync(browser, "olga", "olga's long password");
    }
}

/// <summary>
/// The per-client limit behind a reverse proxy: with the proxy listed in <c>Fleet:ReverseProxy:KnownProxies</c>, each
/// forwarded client has its own budget; without it, X-Forwarded-For is not believed (a client cannot pick a fresh
/// address per request).
/// </summary>
public sealed class ForwardedLoginRateLimitTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Fleet:RateLimits:LoginPerMinute"] = "3",
        ["Fleet:ReverseProxy:KnownProxies:0"] = "127.0.0.0/8",
    };

    [Fact]
    public async Task Login_BehindAKnownProxy_EachForwardedClientHasItsOwnLimit()
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        var token = await LoginForm.TokenAsync(browser);
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await LoginForm.PostAsync(browser, token, "admin", "wrong password", client: "203.0.113.1");
            Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
        }

        using (var limited = await LoginForm.PostAsync(browser, token, "admin", "wrong password", client: "203.0.113.1"))
        {
            await ProblemAssert.IsProblemAsync(limited, (HttpStatusCode)429);
        }

        using var other = await LoginForm.PostAsync(browser, token, "admin", FleetApiFactory.AdminPassword, client: "203.0.113.2");
        Assert.Equal("/links", other.Headers.Location?.OriginalString);
    }
}

/// <summary>Without a known proxy, X-Forwarded-For is ignored: the TCP peer is the client, whatever the header says.</summary>
public sealed class UnforwardedLoginRateLimitTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Fleet:RateLimits:LoginPerMinute"] = "3" };

    [Fact]
    public async Task Login_SpoofedForwardedFor_DoesNotEscapeTheLimit()
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        var token = await LoginForm.TokenAsync(browser);
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await LoginForm.PostAsync(browser, token, "admin", "wrong password", client: $"203.0.113.{i + 1}");
            Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
        }

        using var limited = await LoginForm.PostAsync(browser, token, "admin", FleetApiFactory.AdminPassword, client: "203.0.113.9");
        await ProblemAssert.IsProblemAsync(limited, (HttpStatusCode)429);
    }
}

/// <summary>
/// The session cookie is Secure outside Development, whatever the scheme the Api sees. (The antiforgery cookie follows
/// the request's scheme: with Secure always, ASP.NET Core's antiforgery refuses plain-http requests outright.)
/// </summary>
public sealed class ProductionCookieTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    [Fact]
    public async Task Login_InProduction_SessionCookieIsSecureHttpOnlyStrict()
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        using var page = await browser.GetAsync(new Uri("account/login", UriKind.Relative), TestContext.Current.CancellationToken);
        var antiforgery = Assert.Single(page.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".fleet.af=", StringComparison.Ordinal));
        var token = await LoginForm.TokenAsync(browser);
        using var login = await LoginForm.PostAsync(browser, token, "admin", FleetApiFactory.AdminPassword);
        var session = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".fleet.session=", StringComparison.Ordinal));

        foreach (var cookie in new[] { antiforgery, session })
        {
            var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
            Assert.Equal(cookie == session, attributes.Contains("secure"));
            Assert.Contains("httponly", attributes);
            Assert.Contains("samesite=strict", attributes);
        }
    }
}

/// <summary>In Development the cookie follows the original request's scheme, as a known proxy reports it.</summary>
public sealed class DevelopmentCookieTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    protected override string Environment => "Development";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Fleet:ReverseProxy:KnownProxies:0"] = "127.0.0.1" };

    [Theory]
    [InlineData(null, false)]
    [InlineData("https", true)]
    public async Task Login_InDevelopment_SecureWhenTheOriginalRequestWasHttps(string? forwardedProto, bool secure)
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        var token = await LoginForm.TokenAsync(browser);
        using var request = new HttpRequestMessage(HttpMethod.Post, "account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["userName"] = "admin", ["password"] = FleetApiFactory.AdminPassword }),
        };
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-For", "203.0.113.5");
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        }

        using var login = await browser.SendAsync(request, TestContext.Current.CancellationToken);

        var session = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".fleet.session=", StringComparison.Ordinal));
        Assert.Equal(secure, session.Split(';', StringSplitOptions.TrimEntries).Any(a => a.Equals("secure", StringComparison.OrdinalIgnoreCase)));
    }
}

/// <summary>A session ends after its absolute lifetime however active it stays (sliding renewal notwithstanding).</summary>
public sealed class SessionLifetimeTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    protected override bool UseManualClock => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // The defaults' proportions (8 h idle, 12 h in all) in minutes: the test clock fires every periodic timer of the
        // Api once per period it passes over, and hours of one-second loops took over a minute.
        ["Fleet:Security:SessionIdleTimeout"] = "00:08:00",
        ["Fleet:Security:SessionLifetime"] = "00:12:00",
    };

    [Fact]
    public async Task Session_UsedEveryHalfLifetime_EndsAfterItsLifetime()
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        await LoginForm.LoginAsync(browser, "admin", FleetApiFactory.AdminPassword);

        for (var minutes = 6; minutes <= 12; minutes += 6)
        {
            Clock.Advance(TimeSpan.FromMinutes(6) - TimeSpan.FromSeconds(1));
            using var active = await browser.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.True(active.StatusCode == HttpStatusCode.OK, $"after {minutes} min (less a second per step): {active.StatusCode}");
        }

        Clock.Advance(TimeSpan.FromSeconds(5));
        using var expired = await browser.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(expired, HttpStatusCode.Unauthorized);
    }
}
