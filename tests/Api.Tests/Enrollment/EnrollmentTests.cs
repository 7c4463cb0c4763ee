using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Enrollment;

/// <summary>Agent enrollment with one-time and multi-use tokens: expiry, revocation, exhaustion, concurrency.</summary>
public abstract class EnrollmentTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    protected override bool UseManualClock => true;

    [Fact]
    public async Task Enroll_OneTimeTokenUsedTwice_SecondIsRefused()
    {
        using var admin = Client();
        using var anonymous = Client(bearer: "");
        var token = await FleetRequests.CreateEnrollmentTokenAsync(admin, maxUses: 1);

        using var first = await FleetRequests.EnrollAsync(anonymous, token.Secret, "edge-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var enrolled = await ReadAsync<EnrollResponse>(first);
        Assert.StartsWith("fleet_a_", enrolled.Credential, StringComparison.Ordinal);
        Assert.Equal($"/api/v1/hosts/{enrolled.HostId}", first.Headers.Location?.ToString());

        var snapshot = await Database.SnapshotAsync();
        using var second = await FleetRequests.EnrollAsync(anonymous, token.Secret, "edge-2");
        var problem = await ProblemAssert.IsProblemAsync(second, HttpStatusCode.Forbidden);
        Assert.Contains("exhausted", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(snapshot, await Database.SnapshotAsync());

        await using var db = Database.CreateContext();
        var host = await db.Hosts.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(("edge-1", "edge-1"), (host.Hostname, host.Name));
        var credential = await db.AgentCredentials.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(host.Id, credential.HostId);
        Assert.NotEqual(enrolled.Credential, credential.SecretHash);
        var stored = await db.EnrollmentTokens.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, stored.UseCount);
        var listed = await admin.GetFromJsonAsync<EnrollmentTokenDto>($"api/v1/enrollment-tokens/{token.Token.Id}", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Equal("exhausted", listed!.State);
    }

    [Fact]
    public async Task Enroll_ExpiredToken_IsRefused()
    {
        using var admin = Client();
        using var anonymous = Client(bearer: "");
        var token = await FleetRequests.CreateEnrollmentTokenAsync(admin, maxUses: 5, expiresInSeconds: 60);

        Clock.Advance(TimeSpan.FromSeconds(61));
        using var response = await FleetRequests.EnrollAsync(anonymous, token.Secret, "edge-1");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("expired", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await using var db = Database.CreateContext();
        Assert.False(await db.Hosts.AnyAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Enroll_RevokedToken_IsRefused()
    {
        using var admin = Client();
        using var anonymous = Client(bearer: "");
        var token = await FleetRequests.CreateEnrollmentTokenAsync(admin, maxUses: 5);
        using (var revoke = await admin.DeleteAsync(new Uri($"api/v1/enrollment-tokens/{token.Token.Id}", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        using var response = await FleetRequests.EnrollAsync(anonymous, token.Secret, "edge-1");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("revoked", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_UnknownToken_Returns401()
    {
        using var anonymous = Client(bearer: "");
        using var response = await FleetRequests.EnrollAsync(anonymous, "fleet_e_" + new string('x', 43), "edge-1");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("", "edge-1", "token")]
    [InlineData("fleet_k_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "edge-1", "token")]
    [InlineData("fleet_e_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", "hostname")]
    [InlineData("fleet_e_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "bad host/name", "hostname")]
    [InlineData("fleet_e_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "-leading-hyphen", "hostname")]
    public async Task Enroll_InvalidRequest_Returns400WithField(string token, string hostname, string field)
    {
        using var anonymous = Client(bearer: "");
        using var response = await FleetRequests.EnrollAsync(anonymous, token, hostname);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Enroll_ConcurrentAttemptsOnMultiUseToken_ExactlyMaxUsesSucceed()
    {
        using var admin = Client();
        var token = await FleetRequests.CreateEnrollmentTokenAsync(admin, maxUses: 3);

        var attempts = Enumerable.Range(0, 10).Select(async i =>
        {
            using var anonymous = Client(bearer: "");
            using var response = await FleetRequests.EnrollAsync(anonymous, token.Secret, $"edge-{i}");
            return response.StatusCode;
        });
        var results = await Task.WhenAll(attempts);

        Assert.Equal(3, results.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(7, results.Count(s => s == HttpStatusCode.Forbidden));
        await using var db = Database.CreateContext();
        Assert.Equal(3, await db.Hosts.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(3, (await db.EnrollmentTokens.SingleAsync(TestContext.Current.CancellationToken)).UseCount);
    }
}

public sealed class SqliteEnrollmentTests(PostgresFixture postgres) : EnrollmentTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresEnrollmentTests(PostgresFixture postgres) : EnrollmentTests(DatabaseProvider.Postgres, postgres);

/// <summary>Enrollment is rate-limited per client address.</summary>
public sealed class EnrollmentRateLimitTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Fleet:RateLimits:EnrollPerMinute"] = "2" };

    [Fact]
    public async Task Enroll_MoreThanTheLimitPerMinute_Returns429ProblemDetails()
    {
        using var anonymous = Client(bearer: "");
        var token = "fleet_e_" + new string('x', 43);
        using (var first = await FleetRequests.EnrollAsync(anonymous, token, "a"))
        using (var second = await FleetRequests.EnrollAsync(anonymous, token, "b"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        }

        using var third = await FleetRequests.EnrollAsync(anonymous, token, "c");
        await ProblemAssert.IsProblemAsync(third, (HttpStatusCode)429);
        Assert.True(third.Headers.RetryAfter is not null);
    }
}
