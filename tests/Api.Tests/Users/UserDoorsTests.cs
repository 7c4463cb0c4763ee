using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Security;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Api.Tests.Users;

/// <summary>
/// Users through both doors, REST (<c>/api/v1/users</c>) and the dashboard's settings (<c>ISettingsCommands</c>):
/// for each rule, the same input gets the same result and writes the same audit row (issue 15: the dashboard had
/// its own copy of these commands, and the copies had drifted).
/// </summary>
public abstract class UserDoorsTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("ops@example")]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("_under")]
    [InlineData(" pat")]
    public async Task CreateUser_NameRestRefuses_BothDoorsRefuseWithTheSameFieldError(string userName)
    {
        using var admin = Client();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();

        using var rest = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = userName, Password = "a long enough password", Role = FleetRole.Viewer }, FleetJson.Options, Cancel);
        var viaDashboard = await dashboard.Settings.CreateUserAsync(userName, "a long enough password", FleetRoles.Viewer, Cancel);

        var expected = await DoorOutcome.OfAsync(rest);
        Assert.Equal(["userName"], expected.Fields);
        Assert.Equal(expected.ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Theory]
    [InlineData("short", FleetRoles.Viewer)]
    [InlineData("a long enough password", FleetRoles.Metrics)]
    public async Task CreateUser_BadPasswordOrRole_BothDoorsRefuseWithTheSameFieldError(string password, string role)
    {
        using var admin = Client();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();

        using var rest = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = "kim", Password = password, Role = FleetRoles.TryParse(role)!.Value }, FleetJson.Options, Cancel);
        var viaDashboard = await dashboard.Settings.CreateUserAsync("kim", password, role, Cancel);

        var expected = await DoorOutcome.OfAsync(rest);
        Assert.Single(expected.Fields);
        Assert.Equal(expected.ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task CreateUser_BothDoors_SameResultAndAuditRow()
    {
        using var admin = Client();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());

        using var rest = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = "alice", Password = "a long enough password", Role = FleetRole.Operator }, FleetJson.Options, Cancel);
        var restRow = await AuditRows.NewestAsync(Database);
        var viaDashboard = await dashboard.Settings.CreateUserAsync("bob", "a long enough password", FleetRoles.Operator, Cancel);
        var dashboardRow = await AuditRows.NewestAsync(Database);

        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.Equal(
            AuditRows.Normalize(restRow, Placeholders(restRow.TargetId!, "alice")),
            AuditRows.Normalize(dashboardRow, Placeholders(dashboardRow.TargetId!, "bob")));
        Assert.Equal("user.create", dashboardRow.Action);
    }

    [Fact]
    public async Task CreateUser_NameTaken_BothDoorsRefuseWithTheSameMessage()
    {
        using var admin = Client();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());

        using var rest = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = "admin", Password = "a long enough password", Role = FleetRole.Viewer }, FleetJson.Options, Cancel);
        var viaDashboard = await dashboard.Settings.CreateUserAsync("admin", "a long enough password", FleetRoles.Viewer, Cancel);

        await ProblemAssert.IsProblemAsync(rest, HttpStatusCode.Conflict);
        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard, "userName").ToString());
    }

    [Fact]
    public async Task ChangeRole_BothDoors_SameResultAndAuditRow()
    {
        using var admin = Client();
        var first = await CreateAsync(admin, "carol");
        var second = await CreateAsync(admin, "dave");
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());

        using var rest = await admin.PatchAsJsonAsync($"api/v1/users/{first.Id}", new UpdateUserRequest { Role = FleetRole.Operator }, FleetJson.Options, Cancel);
        var restRow = await AuditRows.NewestAsync(Database);
        var viaDashboard = await dashboard.Settings.SetUserRoleAsync(second.Id, FleetRoles.Operator, Cancel);
        var dashboardRow = await AuditRows.NewestAsync(Database);

        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.Equal(
            AuditRows.Normalize(restRow, Placeholders(first.Id.ToString(), "carol")),
            AuditRows.Normalize(dashboardRow, Placeholders(second.Id.ToString(), "dave")));
        Assert.Equal("user.update", dashboardRow.Action);
    }

    [Fact]
    public async Task ChangeRole_LastAdmin_BothDoorsRefuseWithTheSameMessage()
    {
        using var admin = Client();
        var only = Assert.Single((await admin.GetFromJsonAsync<Page<UserDto>>("api/v1/users", FleetJson.Options, Cancel))!.Items);
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();

        using var rest = await admin.PatchAsJsonAsync($"api/v1/users/{only.Id}", new UpdateUserRequest { Role = FleetRole.Viewer }, FleetJson.Options, Cancel);
        var viaDashboard = await dashboard.Settings.SetUserRoleAsync(only.Id, FleetRoles.Viewer, Cancel);

        await ProblemAssert.IsProblemAsync(rest, HttpStatusCode.Conflict);
        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard, "role").ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task DeleteUser_BothDoors_SameResultAndAuditRow()
    {
        using var admin = Client();
        var first = await CreateAsync(admin, "erin");
        var second = await CreateAsync(admin, "frank");
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());

        using var rest = await admin.DeleteAsync(new Uri($"api/v1/users/{first.Id}", UriKind.Relative), Cancel);
        var restRow = await AuditRows.NewestAsync(Database);
        var viaDashboard = await dashboard.Settings.DeleteUserAsync(second.Id, Cancel);
        var dashboardRow = await AuditRows.NewestAsync(Database);

        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(viaDashboard).ToString());
        Assert.Equal(
            AuditRows.Normalize(restRow, Placeholders(first.Id.ToString(), "erin")),
            AuditRows.Normalize(dashboardRow, Placeholders(second.Id.ToString(), "frank")));
    }

    [Fact]
    public async Task DisabledUser_BothDoorsChangeItsRoleAndDeleteIt()
    {
        using var admin = Client();
        var first = await CreateAsync(admin, "gina", disabled: true);
        var second = await CreateAsync(admin, "hank", disabled: true);
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());

        using (var rest = await admin.PatchAsJsonAsync($"api/v1/users/{first.Id}", new UpdateUserRequest { Role = FleetRole.Operator }, FleetJson.Options, Cancel))
        {
            Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(await dashboard.Settings.SetUserRoleAsync(second.Id, FleetRoles.Operator, Cancel)).ToString());
        }

        using (var rest = await admin.DeleteAsync(new Uri($"api/v1/users/{first.Id}", UriKind.Relative), Cancel))
        {
            Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(await dashboard.Settings.DeleteUserAsync(second.Id, Cancel)).ToString());
        }

        var left = (await admin.GetFromJsonAsync<Page<UserDto>>("api/v1/users", FleetJson.Options, Cancel))!.Items;
        Assert.DoesNotContain(left, u => u.Id == first.Id || u.Id == second.Id);
    }

    [Fact]
    public async Task DeleteUser_Oneself_AllowedWhileAnotherAdminRemains()
    {
        // REST never refused it (only the last enabled admin stays); the dashboard's copy refused deleting oneself.
        using var admin = Client();
        var other = await CreateAsync(admin, "ivan", FleetRole.Admin);
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsUser(other.Id, "ivan", FleetRoles.Admin));

        var viaDashboard = await dashboard.Settings.DeleteUserAsync(other.Id, Cancel);

        Assert.Equal("ok [] fields []", DoorOutcome.Of(viaDashboard).ToString());
        var row = await AuditRows.NewestAsync(Database);
        Assert.Equal(("user:ivan", "user.delete", other.Id.ToString()), (row.Actor, row.Action, row.TargetId));
    }

    [Fact]
    public async Task Commands_NotAnAdmin_BothDoorsRefuseAndChangeNothing()
    {
        using var admin = Client();
        var target = await CreateAsync(admin, "judy");
        var operatorKey = (await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Operator, "ops")).Secret;
        using var rest = Client(operatorKey);
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey(FleetRoles.Operator, "ops"));
        var snapshot = await Database.SnapshotAsync();

        using var viaRest = await rest.DeleteAsync(new Uri($"api/v1/users/{target.Id}", UriKind.Relative), Cancel);
        var viaDashboard = await dashboard.Settings.DeleteUserAsync(target.Id, Cancel);

        await ProblemAssert.IsProblemAsync(viaRest, HttpStatusCode.Forbidden);
        Assert.False(viaDashboard.Succeeded);
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    private static Dictionary<string, string> Placeholders(string id, string name) => new() { [id] = "<id>", [name] = "<name>" };

    private static async Task<UserDto> CreateAsync(HttpClient admin, string userName, FleetRole role = FleetRole.Viewer, bool disabled = false)
    {
        using var created = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = userName, Password = "a long enough password", Role = role }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = (await created.Content.ReadFromJsonAsync<UserDto>(FleetJson.Options, Cancel))!;
        if (disabled)
        {
            using var disable = await admin.PatchAsJsonAsync($"api/v1/users/{user.Id}", new UpdateUserRequest { Disabled = true }, FleetJson.Options, Cancel);
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        }

        return user;
    }
}

public sealed class SqliteUserDoorsTests(PostgresFixture postgres) : UserDoorsTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresUserDoorsTests(PostgresFixture postgres) : UserDoorsTests(DatabaseProvider.Postgres, postgres);
