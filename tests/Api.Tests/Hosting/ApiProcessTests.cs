using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Api.Tests.Hosting;

/// <summary>
/// The built Api as a separate process (what the README's run command and the end-to-end suites use): it starts,
/// answers, survives SIGKILL with its data, and <c>fleet-api migrate</c> prepares a PostgreSQL database.
/// </summary>
public sealed class ApiProcessTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Sqlite_KillAndRestart_KeepsPortAndData()
    {
        await using var api = await ApiProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var port = api.Port;
        using var admin = api.CreateClient();
        var key = await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "survivor");

        await api.KillAsync();
        Assert.False(api.IsRunning);
        await api.RestartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(port, api.Port);
        using var viewer = api.CreateClient(key.Secret);
        var me = await viewer.GetFromJsonAsync<CallerDto>("api/v1/me", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Equal(new CallerDto("survivor", FleetRole.Viewer, "api_key"), me);
        Assert.True(File.Exists(Path.Combine(api.DataDirectory, "fleet.db")));
    }

    [Fact]
    public async Task Anonymous_ServesHealthOpenApiAndLoginPage_Refuses401OnApi()
    {
        await using var api = await ApiProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var anonymous = new HttpClient { BaseAddress = api.BaseAddress };

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("healthz", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("readyz", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
        Assert.Contains("\"openapi\"", await anonymous.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains("<form", await anonymous.GetStringAsync(new Uri("account/login", UriKind.Relative), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains("swagger", await anonymous.GetStringAsync(new Uri("api/docs/index.html", UriKind.Relative), TestContext.Current.CancellationToken), StringComparison.OrdinalIgnoreCase);
        using var hosts = await anonymous.GetAsync(new Uri("api/v1/hosts", UriKind.Relative), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(hosts, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Sqlite_NoBootstrapPassword_PrintsGeneratedPasswordOnce()
    {
        await using var api = await ApiProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains("created user 'admin' with a generated password", api.Output, StringComparison.Ordinal);

        await api.RestartAsync(TestContext.Current.CancellationToken);
        var occurrences = api.Output.Split("generated password").Length - 1;
        Assert.Equal(1, occurrences);
    }

    [Fact]
    [Trait(TestCategories.Name, TestCategories.Postgres)]
    public async Task Postgres_MigrateCommandThenStart_IsReady()
    {
        var connectionString = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await using var api = await ApiProcess.StartAsync(new ApiProcessOptions { PostgresConnectionString = connectionString }, TestContext.Current.CancellationToken);

        var again = await api.MigrateAsync(TestContext.Current.CancellationToken);
        Assert.Contains("schema is current", again.Output, StringComparison.Ordinal);

        using var admin = api.CreateClient();
        var me = await admin.GetFromJsonAsync<CallerDto>("api/v1/me", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Equal(FleetRole.Admin, me!.Role);

        await api.KillAsync();
        await api.RestartAsync(TestContext.Current.CancellationToken);
        using var afterRestart = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await afterRestart.GetAsync(new Uri("api/v1/me", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    [Trait(TestCategories.Name, TestCategories.Postgres)]
    public async Task Postgres_WithoutMigration_IsNotReady()
    {
        var connectionString = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var options = new ApiProcessOptions { PostgresConnectionString = connectionString, MigrateBeforeStart = false, WaitForReady = false };
        await using var api = await ApiProcess.StartAsync(options, TestContext.Current.CancellationToken);
        using var anonymous = new HttpClient { BaseAddress = api.BaseAddress };

        using var ready = await anonymous.GetAsync(new Uri("readyz", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("run 'fleet-api migrate'", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains("run 'fleet-api migrate'", api.Output, StringComparison.Ordinal);

        // Migrating the running Api's database makes it ready after a restart.
        await api.MigrateAsync(TestContext.Current.CancellationToken);
        await api.RestartAsync(TestContext.Current.CancellationToken);
        using var after = await anonymous.GetAsync(new Uri("readyz", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
