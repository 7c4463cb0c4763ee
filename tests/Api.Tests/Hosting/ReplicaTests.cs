using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Api.Tests.Hosting;

/// <summary>
/// Several Api replicas on one database: the data-protection key ring lives in the database, so a session cookie
/// (and antiforgery token) issued by one replica is accepted by another.
/// </summary>
public abstract partial class ReplicaTests(DatabaseProvider provider, PostgresFixture postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SessionFromOneReplica_IsAcceptedByAnother()
    {
        var directory = Path.Combine(Path.GetTempPath(), "fleet-replicas-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        Directory.CreateDirectory(directory);
        try
        {
            var options = new ApiProcessOptions
            {
                PostgresConnectionString = provider == DatabaseProvider.Postgres ? await postgres.CreateDatabaseAsync(Cancel) : null,
                DataDirectory = directory,
                AdminApiKey = ApiProcess.NewApiKey(),
                AdminPassword = "replica password 1",
            };
            await using var first = await ApiProcess.StartAsync(options, Cancel);
            await using var second = await ApiProcess.StartAsync(options, Cancel);

            // Cookies are not port-specific: one browser talks to both replicas on 127.0.0.1.
            var jar = new System.Net.CookieContainer();
            using var toFirst = LoopbackBrowser.Create(first.BaseAddress, jar);
            using var toSecond = LoopbackBrowser.Create(second.BaseAddress, jar);
            var page = await toFirst.GetStringAsync(new Uri("account/login", UriKind.Relative), Cancel);
            var token = WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["userName"] = "admin", ["password"] = "replica password 1" });
            using var login = await toFirst.PostAsync(new Uri("account/login", UriKind.Relative), form, Cancel);
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);

            var me = await toSecond.GetFromJsonAsync<CallerDto>("api/v1/me", FleetJson.Options, Cancel);
            Assert.Equal(new CallerDto("admin", FleetRole.Admin, "user"), me);

            // And the other way round after the first replica restarts: keys are not held in memory only.
            await first.RestartAsync(Cancel);
            Assert.Equal(me, await toFirst.GetFromJsonAsync<CallerDto>("api/v1/me", FleetJson.Options, Cancel));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

public sealed class SqliteReplicaTests(PostgresFixture postgres) : ReplicaTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresReplicaTests(PostgresFixture postgres) : ReplicaTests(DatabaseProvider.Postgres, postgres);

/// <summary>X-Forwarded-For counts only from configured proxies (here: loopback), e.g. for per-client rate limits.</summary>
public sealed class ForwardedHeadersTests(PostgresFixture postgres) : IAsyncLifetime
{
    private TestDatabase? _database;

    public async ValueTask InitializeAsync() => _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, postgres);

    public async ValueTask DisposeAsync()
    {
        await _database!.DisposeAsync();
    }

    [Fact]
    public async Task KnownProxy_RateLimitsPerForwardedClient()
    {
        await using var api = new FleetApiFactory(_database!, settings: new Dictionary<string, string?>
        {
            ["Fleet:RateLimits:EnrollPerMinute"] = "2",
            ["Fleet:ReverseProxy:KnownProxies:0"] = "127.0.0.0/8",
        });
        using var client = api.CreateBearerClient("");

        Assert.Equal(HttpStatusCode.Unauthorized, await EnrollFromAsync(client, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await EnrollFromAsync(client, "203.0.113.1"));
        Assert.Equal((HttpStatusCode)429, await EnrollFromAsync(client, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await EnrollFromAsync(client, "203.0.113.2"));
    }

    [Fact]
    public async Task NoProxyConfigured_ForwardedForIsIgnored()
    {
        await using var api = new FleetApiFactory(_database!, settings: new Dictionary<string, string?> { ["Fleet:RateLimits:EnrollPerMinute"] = "2" });
        using var client = api.CreateBearerClient("");

        Assert.Equal(HttpStatusCode.Unauthorized, await EnrollFromAsync(client, "203.0.113.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await EnrollFromAsync(client, "203.0.113.2"));
        Assert.Equal((HttpStatusCode)429, await EnrollFromAsync(client, "203.0.113.3"));
    }

    private static async Task<HttpStatusCode> EnrollFromAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/agents/enroll")
        {
            Content = JsonContent.Create(new EnrollRequest { Token = "fleet_e_" + new string('x', 43), Hostname = "h" }, options: FleetJson.Options),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
