using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Api.Tests.Users;

/// <summary>Users (admin): create, log in with the new user, role and disable take effect on live sessions, last admin kept.</summary>
public abstract partial class UsersApiTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreatedOperator_LogsIn_ThenDisabling_EndsTheSession()
    {
        using var admin = Client();
        using var created = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = "Olga", Password = "correct horse battery", Role = FleetRole.Operator }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = await ReadAsync<UserDto>(created);
        Assert.Equal("olga", user.UserName);

        using var browser = LoopbackBrowser.Create(Api.Start());
        await LoginAsync(browser, "olga", "correct horse battery");
        Assert.Equal(new CallerDto("olga", FleetRole.Operator, "user"), await browser.GetFromJsonAsync<CallerDto>("api/v1/me", FleetJson.Options, Cancel));

        // An operator may not manage users.
        using (var forbidden = await browser.GetAsync(new Uri("api/v1/users", UriKind.Relative), Cancel))
        {
            await ProblemAssert.IsProblemAsync(forbidden, HttpStatusCode.Forbidden);
        }

        using (var disable = await admin.PatchAsJsonAsync($"api/v1/users/{user.Id}", new UpdateUserRequest { Disabled = true }, FleetJson.Options, Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        }

        using var after = await browser.GetAsync(new Uri("api/v1/me", UriKind.Relative), Cancel);
        await ProblemAssert.IsProblemAsync(after, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task LastAdmin_CannotBeDemotedDisabledOrDeleted()
    {
        using var admin = Client();
        var users = await admin.GetFromJsonAsync<Page<UserDto>>("api/v1/users", FleetJson.Options, Cancel);
        var only = Assert.Single(users!.Items);
        var snapshot = await Database.SnapshotAsync();

        using (var demote = await admin.PatchAsJsonAsync($"api/v1/users/{only.Id}", new UpdateUserRequest { Role = FleetRole.Viewer }, FleetJson.Options, Cancel))
        {
            await ProblemAssert.IsProblemAsync(demote, HttpStatusCode.Conflict);
        }

        using (var disable = await admin.PatchAsJsonAsync($"api/v1/users/{only.Id}", new UpdateUserRequest { Disabled = true }, FleetJson.Options, Cancel))
        {
            await ProblemAssert.IsProblemAsync(disable, HttpStatusCode.Conflict);
        }

        using (var delete = await admin.DeleteAsync(new Uri($"api/v1/users/{only.Id}", UriKind.Relative), Cancel))
        {
            await ProblemAssert.IsProblemAsync(delete, HttpStatusCode.Conflict);
        }

        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task DuplicateUserName_Returns409()
    {
        using var admin = Client();
        using var response = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = "ADMIN", Password = "correct horse battery", Role = FleetRole.Viewer }, FleetJson.Options, Cancel);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Conflict);
    }

    private static async Task LoginAsync(HttpClient browser, string userName, string password)
    {
        var page = await browser.GetStringAsync(new Uri("account/login", UriKind.Relative), Cancel);
        var token = System.Net.WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["userName"] = userName, ["password"] = password });
        using var response = await browser.PostAsync(new Uri("account/login", UriKind.Relative), form, Cancel);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.ToString());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

public sealed class SqliteUsersApiTests(PostgresFixture postgres) : UsersApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresUsersApiTests(PostgresFixture postgres) : UsersApiTests(DatabaseProvider.Postgres, postgres);
