using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Security;

/// <summary>Bearer secrets (API keys, agent credentials), the bootstrap, and the cookie login form.</summary>
public abstract partial class AuthenticationTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    [Fact]
    public async Task GetMe_WithoutCredentials_Returns401ProblemDetails()
    {
        using var client = Client(bearer: "");
        using var response = await client.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetMe_WithBootstrapAdminKey_IsAdmin()
    {
        using var client = Client();
        var me = await client.GetFromJsonAsync<CallerDto>("api/v1/me", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Equal(new CallerDto("bootstrap-admin", FleetRole.Admin, "api_key"), me);
    }

    [Theory]
    [InlineData("fleet_k_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("fleet_a_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("fleet_e_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-fleet-secret")]
    public async Task GetMe_WithUnknownSecret_Returns401(string secret)
    {
        using var client = Client(secret);
        using var response = await client.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task RevokedApiKey_Returns401()
    {
        using var admin = Client();
        var key = await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Operator);
        using var operatorClient = Client(key.Secret);
        using (var before = await operatorClient.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var revoke = await admin.DeleteAsync(new Uri($"api/v1/api-keys/{key.Key.Id}", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        using var after = await operatorClient.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(after, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ApiKey_IsStoredHashedWithLastUsedTime()
    {
        using var admin = Client();
        var key = await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer);
        using var viewer = Client(key.Secret);
        using (await viewer.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken))
        {
        }

        await using var db = Database.CreateContext();
        var stored = await db.ApiKeys.SingleAsync(k => k.Id == key.Key.Id, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(key.Secret, stored.SecretHash, StringComparison.Ordinal);
        Assert.Equal(64, stored.SecretHash.Length);
        Assert.NotNull(stored.LastUsedAt);
        var listed = await admin.GetFromJsonAsync<Page<ApiKeyDto>>("api/v1/api-keys", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Contains(listed!.Items, k => k.Id == key.Key.Id && k.LastUsedAt is not null);
        Assert.DoesNotContain(key.Secret, await admin.GetStringAsync(new Uri("api/v1/api-keys", UriKind.Relative), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentCredential_AuthenticatesButMayNotUseRest()
    {
        using var admin = Client();
        var enrolled = await FleetRequests.EnrollHostAsync(admin);
        using var agent = Client(enrolled.Credential);

        // 403, not 401: the credential is recognised (role agent), the REST API is simply not for agents.
        using var response = await agent.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Bootstrap_CreatesAdminUserAndKey_OnceOnly()
    {
        await using var db = Database.CreateContext();
        var users = await db.Users.ToListAsync(TestContext.Current.CancellationToken);
        var admin = Assert.Single(users);
        Assert.Equal("admin", admin.UserName);
        Assert.Equal(FleetRole.Admin, admin.Role);
        Assert.DoesNotContain(FleetApiFactory.AdminPassword, admin.PasswordHash, StringComparison.Ordinal);
        Assert.Single(await db.ApiKeys.Where(k => k.Name == "bootstrap-admin").ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, await db.AuditLog.CountAsync(a => a.Actor == "system", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Login_WithPasswordAndAntiforgeryToken_SessionCookieAuthenticatesApi()
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        var token = await GetLoginFormTokenAsync(browser);

        using var login = await browser.PostAsync(new Uri("account/login", UriKind.Relative), Form(token, "admin", FleetApiFactory.AdminPassword, "/links"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/links", login.Headers.Location?.ToString());

        var me = await browser.GetFromJsonAsync<CallerDto>("api/v1/me", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Equal(new CallerDto("admin", FleetRole.Admin, "user"), me);

        var logoutToken = await GetLoginFormTokenAsync(browser);
        using var logout = await browser.PostAsync(new Uri("account/logout", UriKind.Relative), Form(logoutToken, null, null, null), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        using var afterLogout = await browser.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(afterLogout, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Login_WrongPassword_RedirectsBackWithoutSession()
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        var token = await GetLoginFormTokenAsync(browser);

        using var login = await browser.PostAsync(new Uri("account/login", UriKind.Relative), Form(token, "admin", "wrong password!", "/"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.StartsWith("/account/login?error=invalid", login.Headers.Location?.ToString(), StringComparison.Ordinal);
        using var me = await browser.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(me, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Login_WithoutAntiforgeryToken_Returns400ProblemDetails()
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        using var login = await browser.PostAsync(new Uri("account/login", UriKind.Relative), Form(null, "admin", FleetApiFactory.AdminPassword, "/"), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(login, HttpStatusCode.BadRequest);
        using var me = await browser.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(me, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task Login_ForeignReturnUrl_RedirectsHome(string returnUrl)
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        var token = await GetLoginFormTokenAsync(browser);
        using var login = await browser.PostAsync(new Uri("account/login", UriKind.Relative), Form(token, "admin", FleetApiFactory.AdminPassword, returnUrl), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.ToString());
    }

    [Theory]
    [InlineData("/é", "/%C3%A9")]
    [InlineData("/links?name=bönd", "/links?name=b%C3%B6nd")]
    [InlineData("/a b", "/a%20b")]
    [InlineData("/\u2028x", "/%E2%80%A8x")]
    public async Task Login_NonAsciiReturnUrl_RedirectsToTheEncodedPath(string returnUrl, string expected)
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        var token = await GetLoginFormTokenAsync(browser);
        using var login = await browser.PostAsync(new Uri("account/login", UriKind.Relative), Form(token, "admin", FleetApiFactory.AdminPassword, returnUrl), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(expected, login.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Login_WrongPasswordWithNonAsciiReturnUrl_RedirectsBackToTheForm()
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        var token = await GetLoginFormTokenAsync(browser);
        using var login = await browser.PostAsync(new Uri("account/login", UriKind.Relative), Form(token, "admin", "wrong password!", "/é"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/account/login?error=invalid&returnUrl=%2F%25C3%25A9&user=admin", login.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Logout_WithoutAntiforgeryToken_IsRefusedAndKeepsTheSession()
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        var token = await GetLoginFormTokenAsync(browser);
        using (var login = await browser.PostAsync(new Uri("account/login", UriKind.Relative), Form(token, "admin", FleetApiFactory.AdminPassword, "/"), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        }

        // A cross-site form (or an <img> a page plants) posts without the token: the session must survive it.
        using var logout = await browser.PostAsync(new Uri("account/logout", UriKind.Relative), Form(null, null, null, null), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(logout, HttpStatusCode.BadRequest);
        Assert.False(logout.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".fleet.session=;", StringComparison.Ordinal)), "the session cookie was cleared");
        var me = await browser.GetFromJsonAsync<CallerDto>("api/v1/me", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Equal("admin", me!.Name);
    }

    private static async Task<string> GetLoginFormTokenAsync(HttpClient browser)
    {
        var page = await browser.GetStringAsync(new Uri("account/login", UriKind.Relative), TestContext.Current.CancellationToken);
        var match = AntiforgeryField().Match(page);
        Assert.True(match.Success, page);
        return System.Net.WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    private static FormUrlEncodedContent Form(string? token, string? userName, string? password, string? returnUrl)
    {
        var fields = new Dictionary<string, string>();
        if (token is not null)
        {
            fields["__RequestVerificationToken"] = token;
        }

        if (userName is not null)
        {
            fields["userName"] = userName;
        }

        if (password is not null)
        {
            fields["password"] = password;
        }

        if (returnUrl is not null)
        {
            fields["returnUrl"] = returnUrl;
        }

        return new FormUrlEncodedContent(fields);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

public sealed class SqliteAuthenticationTests(PostgresFixture postgres) : AuthenticationTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresAuthenticationTests(PostgresFixture postgres) : AuthenticationTests(DatabaseProvider.Postgres, postgres);

/// <summary>The login form is rate-limited per client address.</summary>
public sealed partial class LoginRateLimitTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Fleet:RateLimits:LoginPerMinute"] = "3" };

    [Fact]
    public async Task Login_MoreThanTheLimitPerMinute_Returns429_EvenWithTheRightPassword()
    {
        using var browser = LoopbackBrowser.Create(Api.Start());
        var page = await browser.GetStringAsync(new Uri("account/login", UriKind.Relative), TestContext.Current.CancellationToken);
        var token = System.Net.WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);
        FormUrlEncodedContent Form(string password) => new(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["userName"] = "admin", ["password"] = password });

        for (var i = 0; i < 3; i++)
        {
            using var form = Form("wrong password " + i);
            using var wrong = await browser.PostAsync(new Uri("account/login", UriKind.Relative), form, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Redirect, wrong.StatusCode);
        }

        using var right = Form(FleetApiFactory.AdminPassword);
        using var limited = await browser.PostAsync(new Uri("account/login", UriKind.Relative), right, TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(limited, (HttpStatusCode)429);
        using var me = await browser.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
