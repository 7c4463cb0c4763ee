using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Security;

/// <summary>
/// A hub connection lives only as long as what authenticated it: revoking an API key, disabling a user or changing
/// their role, a session outliving its lifetime, revoking an agent credential or decommissioning the host closes the
/// open <c>/hubs/live</c> or <c>/hubs/agent</c> connections at once (on this replica) or within
/// <c>Fleet:Security:HubRevalidationInterval</c> (a change made elsewhere, e.g. on another replica or in the database).
/// </summary>
public abstract class HubRevocationTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static readonly TimeSpan s_closesWithin = TimeSpan.FromSeconds(15);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override bool UseManualClock => true;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Fleet:Security:HubRevalidationInterval"] = "00:00:01",
        // Minutes, not the default hours: the test clock fires every periodic timer of the Api once per period it
        // passes over (twelve hours were 130,000 ticks of the one-second loops, over a minute of the suite).
        ["Fleet:Security:SessionIdleTimeout"] = "00:08:00",
        ["Fleet:Security:SessionLifetime"] = "00:10:00",
    };

    [Fact]
    public async Task LiveHub_ApiKeyRevoked_ConnectionCloses()
    {
        using var admin = Client();
        var key = await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer);
        await using var hub = await HubClient.ConnectAsync(Api.Start(), HubRoutes.Live, bearer: key.Secret);

        using var revoke = await admin.DeleteAsync(new Uri($"api/v1/api-keys/{key.Key.Id}", UriKind.Relative), Cancel);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        await hub.AssertClosesAsync(s_closesWithin);
    }

    [Fact]
    public async Task LiveHub_OtherKeyRevoked_ConnectionStaysOpen()
    {
        using var admin = Client();
        var key = await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "kept");
        var other = await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "revoked");
        await using var hub = await HubClient.ConnectAsync(Api.Start(), HubRoutes.Live, bearer: key.Secret);

        using var revoke = await admin.DeleteAsync(new Uri($"api/v1/api-keys/{other.Key.Id}", UriKind.Relative), Cancel);
        await Task.Delay(TimeSpan.FromSeconds(3), Cancel);

        Assert.Equal(HubConnectionState.Connected, hub.State);
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("role")]
    [InlineData("delete")]
    public async Task LiveHub_SessionUserDisabledDemotedOrDeleted_ConnectionCloses(string change)
    {
        using var admin = Client();
        using var created = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = "olga", Password = "olga's long password", Role = FleetRole.Operator }, FleetJson.Options, Cancel);
        var user = await ReadAsync<UserDto>(created);
        var jar = new CookieContainer();
        using var browser = LoopbackBrowser.Create(Api.Start(), jar);
        await LoginForm.LoginAsync(browser, "olga", "olga's long password");
        await using var hub = await HubClient.ConnectAsync(Api.Start(), HubRoutes.Live, cookies: LoopbackBrowser.CookieHeader(jar, Api.Start()));

        using var response = change switch
        {
            "disable" => await admin.PatchAsJsonAsync($"api/v1/users/{user.Id}", new UpdateUserRequest { Disabled = true }, FleetJson.Options, Cancel),
            "role" => await admin.PatchAsJsonAsync($"api/v1/users/{user.Id}", new UpdateUserRequest { Role = FleetRole.Viewer }, FleetJson.Options, Cancel),
            _ => await admin.DeleteAsync(new Uri($"api/v1/users/{user.Id}", UriKind.Relative), Cancel),
        };
        Assert.True(response.IsSuccessStatusCode, $"{change}: {response.StatusCode}");

        await hub.AssertClosesAsync(s_closesWithin);
    }

    [Fact]
    public async Task LiveHub_SessionOutlivesItsLifetime_ConnectionCloses()
    {
        var jar = new CookieContainer();
        using var browser = LoopbackBrowser.Create(Api.Start(), jar);
        await LoginForm.LoginAsync(browser, "admin", FleetApiFactory.AdminPassword);
        await using var hub = await HubClient.ConnectAsync(Api.Start(), HubRoutes.Live, cookies: LoopbackBrowser.CookieHeader(jar, Api.Start()));

        Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(5));

        await hub.AssertClosesAsync(s_closesWithin);
    }

    [Fact]
    public async Task AgentHub_CredentialRevokedInTheDatabase_ConnectionCloses()
    {
        using var admin = Client();
        var enrolled = await FleetRequests.EnrollHostAsync(admin, "revoked-host");
        await using var hub = await HubClient.ConnectAsync(Api.Start(), HubRoutes.Agent, bearer: enrolled.Credential);

        // As another replica or an operator's SQL would: nothing on this replica hears of it but its revalidation.
        await using (var db = Database.CreateContext())
        {
            var now = DateTime.UtcNow;
            Assert.Equal(1, await db.AgentCredentials.Where(c => c.HostId == enrolled.HostId).ExecuteUpdateAsync(s => s.SetProperty(c => c.RevokedAt, now), Cancel));
        }

        await hub.AssertClosesAsync(s_closesWithin);
    }

    [Fact]
    public async Task AgentHub_HostDecommissioned_ConnectionCloses()
    {
        using var admin = Client();
        var enrolled = await FleetRequests.EnrollHostAsync(admin, "retired-host");
        await using var hub = await HubClient.ConnectAsync(Api.Start(), HubRoutes.Agent, bearer: enrolled.Credential);

        using var decommission = await admin.PostAsync(new Uri($"api/v1/hosts/{enrolled.HostId}/decommission", UriKind.Relative), null, Cancel);
        Assert.True(decommission.IsSuccessStatusCode, decommission.StatusCode.ToString());

        await hub.AssertClosesAsync(s_closesWithin);
    }

    /// <summary>A SignalR connection to one of the Api's hubs that reports when the server closes it.</summary>
    private sealed class HubClient : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private HubClient(HubConnection connection)
        {
            _connection = connection;
            connection.Closed += _ =>
            {
                _closed.TrySetResult();
                return Task.CompletedTask;
            };
        }

        public HubConnectionState State => _connection.State;

        public static async Task<HubClient> ConnectAsync(Uri server, string route, string? bearer = null, string? cookies = null)
        {
            var connection = DashboardHubConnection.Build(server, route, bearer, cookies);
            var client = new HubClient(connection);
            await connection.StartAsync(Cancel);
            return client;
        }

        public async Task AssertClosesAsync(TimeSpan within)
        {
            var closed = await Task.WhenAny(_closed.Task, Task.Delay(within, Cancel));
            Assert.True(closed == _closed.Task, $"the hub connection was still open after {within.TotalSeconds} s");
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}

public sealed class SqliteHubRevocationTests(PostgresFixture postgres) : HubRevocationTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresHubRevocationTests(PostgresFixture postgres) : HubRevocationTests(DatabaseProvider.Postgres, postgres);
