using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Security;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Enrollment;

/// <summary>
/// API keys and enrollment tokens through both doors, REST and the dashboard's settings: for each rule, the same input
/// gets the same result and writes the same audit row (issue 15).
/// </summary>
public abstract class CredentialDoorsTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateApiKey_BothDoors_SameResultAndAuditRow()
    {
        using var admin = Client();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());

        using var rest = await admin.PostAsJsonAsync("api/v1/api-keys", new CreateApiKeyRequest { Name = "ci-rest", Role = FleetRole.Viewer }, FleetJson.Options, Cancel);
        var restRow = await AuditRows.NewestAsync(Database);
        var viaDashboard = await dashboard.Settings.CreateApiKeyAsync("ci-dash", FleetRoles.Viewer, Cancel);
        var dashboardRow = await AuditRows.NewestAsync(Database);

        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.StartsWith(Secrets.ApiKeyPrefix, viaDashboard.Secret, StringComparison.Ordinal);
        Assert.Equal(await NormalizeApiKeyRowAsync(restRow, "ci-rest"), await NormalizeApiKeyRowAsync(dashboardRow, "ci-dash"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("line\nbreak")]
    public async Task CreateApiKey_BadName_BothDoorsRefuseWithTheSameFieldError(string name)
    {
        using var admin = Client();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();

        using var rest = await admin.PostAsJsonAsync("api/v1/api-keys", new CreateApiKeyRequest { Name = name, Role = FleetRole.Viewer }, FleetJson.Options, Cancel);
        var viaDashboard = await dashboard.Settings.CreateApiKeyAsync(name, FleetRoles.Viewer, Cancel);

        var expected = await DoorOutcome.OfAsync(rest);
        Assert.Equal(["name"], expected.Fields);
        Assert.Equal(expected.ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task RevokeApiKey_BothDoors_SameResultAndAuditRow()
    {
        using var admin = Client();
        var first = await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "old-rest");
        var second = await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "old-dash");
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());

        using var rest = await admin.DeleteAsync(new Uri($"api/v1/api-keys/{first.Key.Id}", UriKind.Relative), Cancel);
        var restRow = await AuditRows.NewestAsync(Database);
        var viaDashboard = await dashboard.Settings.RevokeApiKeyAsync(second.Key.Id, Cancel);
        var dashboardRow = await AuditRows.NewestAsync(Database);

        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.Equal(await NormalizeApiKeyRowAsync(restRow, "old-rest"), await NormalizeApiKeyRowAsync(dashboardRow, "old-dash"));
    }

    [Fact]
    public async Task RevokeApiKey_Unknown_BothDoorsRefuseWithTheSameMessage()
    {
        using var admin = Client();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var id = Guid.CreateVersion7();

        using var rest = await admin.DeleteAsync(new Uri($"api/v1/api-keys/{id}", UriKind.Relative), Cancel);
        var viaDashboard = await dashboard.Settings.RevokeApiKeyAsync(id, Cancel);

        await ProblemAssert.IsProblemAsync(rest, HttpStatusCode.NotFound);
        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard, "apiKey").ToString());
    }

    [Fact]
    public async Task CreateEnrollmentToken_BothDoors_SameResultAndAuditRow()
    {
        using var admin = Client();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());

        using var rest = await admin.PostAsJsonAsync("api/v1/enrollment-tokens", new CreateEnrollmentTokenRequest { Description = "rack 4", ExpiresInSeconds = 3600, MaxUses = 1 }, FleetJson.Options, Cancel);
        var restRow = await AuditRows.NewestAsync(Database);
        var viaDashboard = await dashboard.Settings.CreateEnrollmentTokenAsync("rack 4", TimeSpan.FromHours(1), Cancel);
        var dashboardRow = await AuditRows.NewestAsync(Database);

        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.StartsWith(Secrets.EnrollmentTokenPrefix, viaDashboard.Secret, StringComparison.Ordinal);
        Assert.Equal(await NormalizeTokenRowAsync(restRow), await NormalizeTokenRowAsync(dashboardRow));
    }

    [Fact]
    public async Task CreateEnrollmentToken_LifetimeOutOfRange_BothDoorsGiveTheSameFieldError()
    {
        using var admin = Client();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();
        var tooLong = TimeSpan.FromDays(31);

        using var rest = await admin.PostAsJsonAsync("api/v1/enrollment-tokens", new CreateEnrollmentTokenRequest { ExpiresInSeconds = (int)tooLong.TotalSeconds, MaxUses = 1 }, FleetJson.Options, Cancel);
        var viaDashboard = await dashboard.Settings.CreateEnrollmentTokenAsync(null, tooLong, Cancel);

        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task CreateEnrollmentToken_BadDescription_BothDoorsGiveTheSameFieldError()
    {
        using var admin = Client();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();
        var description = new string('x', 201);

        using var rest = await admin.PostAsJsonAsync("api/v1/enrollment-tokens", new CreateEnrollmentTokenRequest { Description = description, ExpiresInSeconds = 3600, MaxUses = 1 }, FleetJson.Options, Cancel);
        var viaDashboard = await dashboard.Settings.CreateEnrollmentTokenAsync(description, TimeSpan.FromHours(1), Cancel);

        var expected = await DoorOutcome.OfAsync(rest);
        Assert.Equal(["description"], expected.Fields);
        Assert.Equal(expected.ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task RevokeEnrollmentToken_Unknown_BothDoorsRefuseWithTheSameMessage()
    {
        using var admin = Client();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var id = Guid.CreateVersion7();

        using var rest = await admin.DeleteAsync(new Uri($"api/v1/enrollment-tokens/{id}", UriKind.Relative), Cancel);
        var viaDashboard = await dashboard.Settings.RevokeEnrollmentTokenAsync(id, Cancel);

        await ProblemAssert.IsProblemAsync(rest, HttpStatusCode.NotFound);
        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard, "enrollmentToken").ToString());
    }

    [Fact]
    public async Task RevokeEnrollmentToken_BothDoors_SameResultAndAuditRow()
    {
        using var admin = Client();
        var first = await FleetRequests.CreateEnrollmentTokenAsync(admin);
        var second = await FleetRequests.CreateEnrollmentTokenAsync(admin);
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());

        using var rest = await admin.DeleteAsync(new Uri($"api/v1/enrollment-tokens/{first.Token.Id}", UriKind.Relative), Cancel);
        var restRow = await AuditRows.NewestAsync(Database);
        var viaDashboard = await dashboard.Settings.RevokeEnrollmentTokenAsync(second.Token.Id, Cancel);
        var dashboardRow = await AuditRows.NewestAsync(Database);

        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.Equal(await NormalizeTokenRowAsync(restRow), await NormalizeTokenRowAsync(dashboardRow));
    }

    private async Task<string> NormalizeApiKeyRowAsync(Fleet.Api.Data.Entities.AuditEntryEntity row, string name)
    {
        await using var db = Database.CreateContext();
        var key = await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Name == name, Cancel);
        return AuditRows.Normalize(row, new Dictionary<string, string> { [key.Id.ToString()] = "<id>", [key.Prefix] = "<prefix>", [name] = "<name>" });
    }

    private async Task<string> NormalizeTokenRowAsync(Fleet.Api.Data.Entities.AuditEntryEntity row)
    {
        await using var db = Database.CreateContext();
        var id = Guid.Parse(row.TargetId!);
        var token = await db.EnrollmentTokens.AsNoTracking().SingleAsync(t => t.Id == id, Cancel);
        return AuditRows.Normalize(row, new Dictionary<string, string> { [token.Id.ToString()] = "<id>", [token.Prefix] = "<prefix>" });
    }
}

public sealed class SqliteCredentialDoorsTests(PostgresFixture postgres) : CredentialDoorsTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresCredentialDoorsTests(PostgresFixture postgres) : CredentialDoorsTests(DatabaseProvider.Postgres, postgres);
