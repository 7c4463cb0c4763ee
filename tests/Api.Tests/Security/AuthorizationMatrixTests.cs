using System.Net;
using System.Text;
using Fleet.Api.Security;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Api.Tests.Security;

/// <summary>
/// Every endpoint of the running app (read from its EndpointDataSource, so a new one cannot be forgotten) against
/// every kind of caller: anonymous → 401, agent credential → 403, a role below the endpoint's → 403 with nothing
/// changed, a sufficient role → neither 401 nor 403.
/// </summary>
public abstract class AuthorizationMatrixTests(ApiFixture fixture)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private IReadOnlyList<EndpointInfo> ApiEndpoints => [.. EndpointInfo.All(fixture.Api.Services).Where(e => e.Pattern.StartsWith("/api/", StringComparison.Ordinal) && !e.Anonymous)];

    [Fact]
    public void Catalog_CoversTheApi()
    {
        var endpoints = ApiEndpoints;
        Assert.True(endpoints.Count(e => e.IsWrite) >= 13, string.Join("\n", endpoints));
        Assert.Contains(endpoints, e => e.ToString() == "PUT /api/v1/links/{id:guid}/spec");
        Assert.Contains(endpoints, e => e.ToString() == "POST /api/v1/users");

        // Only enrollment is anonymous under /api; everything else names a policy.
        var anonymous = EndpointInfo.All(fixture.Api.Services).Where(e => e.Pattern.StartsWith("/api/", StringComparison.Ordinal) && e.Anonymous);
        Assert.Equal(["POST /api/v1/agents/enroll"], anonymous.Select(e => e.ToString()));
        Assert.All(endpoints, e => Assert.NotEmpty(e.Policies));
    }

    [Fact]
    public async Task Viewer_EveryWriteEndpoint_Returns403AndChangesNothing()
    {
        var before = await fixture.Database.SnapshotAsync();
        using var viewer = fixture.Api.CreateBearerClient(fixture.ViewerKey);
        var writes = ApiEndpoints.Where(e => e.IsWrite).ToList();
        foreach (var endpoint in writes)
        {
            using var response = await SendAsync(viewer, endpoint, RealIds());
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, endpoint.ToString());
        }

        Assert.Equal(before, await fixture.Database.SnapshotAsync());
    }

    [Fact]
    public async Task RoleBelowRequired_EveryEndpoint_Returns403()
    {
        var before = await fixture.Database.SnapshotAsync();
        using var viewer = fixture.Api.CreateBearerClient(fixture.ViewerKey);
        using var operatorClient = fixture.Api.CreateBearerClient(fixture.OperatorKey);
        var checkedCount = 0;
        foreach (var endpoint in ApiEndpoints)
        {
            foreach (var (role, client) in new[] { (FleetRole.Viewer, viewer), (FleetRole.Operator, operatorClient) })
            {
                if (role >= endpoint.RequiredRole)
                {
                    continue;
                }

                using var response = await SendAsync(client, endpoint, RealIds());
                await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, $"{role} on {endpoint}");
                checkedCount++;
            }
        }

        Assert.True(checkedCount >= 25, $"only {checkedCount} role checks");
        Assert.Equal(before, await fixture.Database.SnapshotAsync());
    }

    [Fact]
    public async Task SufficientRole_EveryEndpoint_IsNotRefused()
    {
        using var viewer = fixture.Api.CreateBearerClient(fixture.ViewerKey);
        using var operatorClient = fixture.Api.CreateBearerClient(fixture.OperatorKey);
        using var admin = fixture.Api.CreateBearerClient();
        foreach (var endpoint in ApiEndpoints)
        {
            var client = endpoint.RequiredRole switch
            {
                FleetRole.Viewer => viewer,
                FleetRole.Operator => operatorClient,
                _ => admin,
            };

            // Ids that exist nowhere: reads and writes answer 404 or 400, never 401/403 (and change nothing real).
            using var response = await SendAsync(client, endpoint, values: null);
            Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                $"{endpoint.RequiredRole} refused on {endpoint}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancel)}");
            Assert.True((int)response.StatusCode < 500, $"{endpoint}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancel)}");
        }
    }

    [Fact]
    public async Task Anonymous_EveryEndpoint_Returns401()
    {
        using var anonymous = fixture.Api.CreateBearerClient("");
        foreach (var endpoint in ApiEndpoints)
        {
            using var response = await SendAsync(anonymous, endpoint, RealIds());
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, endpoint.ToString());
        }
    }

    [Fact]
    public async Task AgentCredential_EveryRestEndpoint_Returns403()
    {
        var before = await fixture.Database.SnapshotAsync();
        using var agent = fixture.Api.CreateBearerClient(fixture.AgentCredential);
        foreach (var endpoint in ApiEndpoints)
        {
            using var response = await SendAsync(agent, endpoint, RealIds());
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, endpoint.ToString());
        }

        Assert.Equal(before, await fixture.Database.SnapshotAsync());
    }

    [Theory]
    [InlineData("/hubs/agent", "agent", "viewer,operator,admin")]
    [InlineData("/hubs/live", "viewer,operator,admin", "agent")]
    public async Task Hubs_AdmitOnlyTheirCallers(string hub, string admitted, string refused)
    {
        var endpoints = EndpointInfo.All(fixture.Api.Services).Where(e => e.Pattern.StartsWith(hub, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(endpoints);
        var secrets = new Dictionary<string, string>
        {
            ["agent"] = fixture.AgentCredential,
            ["viewer"] = fixture.ViewerKey,
            ["operator"] = fixture.OperatorKey,
            ["admin"] = fixture.Api.AdminApiKey,
        };
        foreach (var endpoint in endpoints)
        {
            foreach (var caller in refused.Split(','))
            {
                using var client = fixture.Api.CreateBearerClient(secrets[caller]);
                using var response = await SendAsync(client, endpoint, values: null);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{caller} on {endpoint}: {(int)response.StatusCode}");
            }

            foreach (var caller in admitted.Split(','))
            {
                using var client = fixture.Api.CreateBearerClient(secrets[caller]);
                using var response = await SendAsync(client, endpoint, values: null);
                Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{caller} on {endpoint}: {(int)response.StatusCode}");
            }

            using var anonymous = fixture.Api.CreateBearerClient("");
            using var unauthenticated = await SendAsync(anonymous, endpoint, values: null);
            Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        }
    }

    [Fact]
    public async Task MetricsKey_EveryEndpointButTheScrape_IsRefusedAndChangesNothing()
    {
        var before = await fixture.Database.SnapshotAsync();
        using var metrics = fixture.Api.CreateBearerClient(fixture.MetricsKey);

        // Every endpoint of the app, not only /api: hubs, dashboard pages, account forms, the OpenAPI document.
        var endpoints = EndpointInfo.All(fixture.Api.Services).Where(e => !e.Anonymous && e.Pattern != "/metrics").ToList();
        Assert.Contains(endpoints, e => e.Pattern.StartsWith("/hubs/live", StringComparison.Ordinal));
        Assert.Contains(endpoints, e => e.Pattern.StartsWith("/hubs/agent", StringComparison.Ordinal));
        Assert.Contains(endpoints, e => e.Pattern == "/api/v1/me");
        Assert.Contains(endpoints, e => e.Pattern == "/settings");
        foreach (var endpoint in endpoints)
        {
            using var response = await SendAsync(metrics, endpoint, RealIds());
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"metrics key on {endpoint}: {(int)response.StatusCode}");
        }

        // A user cannot be given the role: it is for API keys only.
        using var admin = fixture.Api.CreateBearerClient();
        using var user = await admin.PostAsync(
            "api/v1/users",
            new StringContent("""{"userName":"scraper","password":"a long enough password","role":"metrics"}""", Encoding.UTF8, "application/json"),
            Cancel);
        await ProblemAssert.IsProblemAsync(user, HttpStatusCode.BadRequest, "a user with role metrics");

        Assert.Equal(before, await fixture.Database.SnapshotAsync());
    }

    [Fact]
    public async Task Scrape_AdmitsOnlyMetricsKeys()
    {
        Assert.Contains(EndpointInfo.All(fixture.Api.Services), e => e.Pattern == "/metrics" && e.Policies.Contains(FleetPolicies.Metrics));
        var refused = new Dictionary<string, string>
        {
            ["agent"] = fixture.AgentCredential,
            ["viewer"] = fixture.ViewerKey,
            ["operator"] = fixture.OperatorKey,
            ["admin"] = fixture.Api.AdminApiKey,
        };
        foreach (var (caller, secret) in refused)
        {
            using var client = fixture.Api.CreateBearerClient(secret);
            using var response = await client.GetAsync("metrics", Cancel);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{caller} on /metrics: {(int)response.StatusCode}");
        }

        using var anonymous = fixture.Api.CreateBearerClient("");
        using var unauthenticated = await anonymous.GetAsync("metrics", Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);

        using var metrics = fixture.Api.CreateBearerClient(fixture.MetricsKey);
        using var scraped = await metrics.GetAsync("metrics", Cancel);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("fleet_metrics_omitted_members", await scraped.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    /// <summary>Route values of the fixture's real host, link and user, so a missing check could really change them.</summary>
    private Dictionary<string, string> RealIds() => new()
    {
        ["id"] = fixture.Link.Id.ToString(),
        ["member"] = "eth1",
        ["generation"] = "1",
        ["siteId"] = "1",
    };

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, EndpointInfo endpoint, IReadOnlyDictionary<string, string>? values)
    {
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Concrete(values).TrimStart('/'));
        if (endpoint.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request, Cancel);
    }
}

public sealed class SqliteAuthorizationMatrixTests(SqliteApiFixture fixture) : AuthorizationMatrixTests(fixture), IClassFixture<SqliteApiFixture>;

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresAuthorizationMatrixTests(PostgresApiFixture fixture) : AuthorizationMatrixTests(fixture), IClassFixture<PostgresApiFixture>;
