using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>
/// One Api and database shared by the tests of a class (xUnit class fixture), seeded with a host, a link and a
/// user, for suites that send many requests and assert on each (bad inputs, role matrix).
/// </summary>
public abstract class ApiFixture(DatabaseProvider provider, PostgresFixture postgres) : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;

    public FleetApiFactory Api { get; private set; } = null!;

    public Guid HostId { get; private set; }

    public LinkDto Link { get; private set; } = null!;

    public Guid UserId { get; private set; }

    public string ViewerKey { get; private set; } = "";

    public string OperatorKey { get; private set; } = "";

    public string AgentCredential { get; private set; } = "";

    /// <summary>An API key of role metrics: may scrape <c>/metrics</c> (enabled in this fixture) and nothing else.</summary>
    public string MetricsKey { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(provider, postgres);
        Api = new FleetApiFactory(Database, settings: new Dictionary<string, string?> { ["Fleet:Metrics:Enabled"] = "true" });
        using var admin = Api.CreateBearerClient();
        var enrolled = await FleetRequests.EnrollHostAsync(admin, "fixture-host");
        HostId = enrolled.HostId;
        AgentCredential = enrolled.Credential;
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = HostId, Spec = Specs.Bond() }, FleetJson.Options);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Link = (await created.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options))!;
        using var user = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = "olga", Password = "a long enough password", Role = FleetRole.Operator }, FleetJson.Options);
        Assert.Equal(HttpStatusCode.Created, user.StatusCode);
        UserId = (await user.Content.ReadFromJsonAsync<UserDto>(FleetJson.Options))!.Id;
        ViewerKey = (await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "viewer")).Secret;
        OperatorKey = (await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Operator, "operator")).Secret;
        MetricsKey = (await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Metrics, "prometheus")).Secret;
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteApiFixture(PostgresFixture postgres) : ApiFixture(DatabaseProvider.Sqlite, postgres);

public sealed class PostgresApiFixture(PostgresFixture postgres) : ApiFixture(DatabaseProvider.Postgres, postgres);
