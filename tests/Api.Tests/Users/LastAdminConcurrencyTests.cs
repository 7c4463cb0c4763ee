using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Fleet.Api.Tests.Users;

/// <summary>
/// The last-admin rule under real concurrency on PostgreSQL: two requests that each take away one of the last two
/// admins run at the same time. The test makes them overlap for certain: it holds an exclusive lock on <c>users</c>
/// (reads still pass, writes wait) until both requests are waiting on it, then lets them go together.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class LastAdminConcurrencyTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Postgres, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Pairs => new()
    {
        { "demote", "demote" },
        { "demote", "disable" },
        { "disable", "delete" },
        { "delete", "delete" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task TwoConcurrentChanges_ToTheLastTwoAdmins_LeaveOneAdmin(string first, string second)
    {
        using var admin = Client();
        var users = await admin.GetFromJsonAsync<Page<UserDto>>("api/v1/users", FleetJson.Options, Cancel);
        var bootstrap = Assert.Single(users!.Items);
        using var created = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = "ada", Password = "another long password", Role = FleetRole.Admin }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ada = await ReadAsync<UserDto>(created);

        HttpStatusCode[] statuses;
        await using (var blocker = new NpgsqlConnection(Database.Database.ConnectionString))
        {
            await blocker.OpenAsync(Cancel);
            await using var transaction = await blocker.BeginTransactionAsync(Cancel);
            await using (var lockUsers = new NpgsqlCommand("LOCK TABLE users IN EXCLUSIVE MODE", blocker, transaction))
            {
                await lockUsers.ExecuteNonQueryAsync(Cancel);
            }

            var requests = new[] { SendAsync(admin, first, bootstrap.Id), SendAsync(admin, second, ada.Id) };
            await WaitForWaitersAsync(blocker, count: 2);
            await transaction.CommitAsync(Cancel);
            statuses = await Task.WhenAll(requests);
        }

        await using var db = Database.CreateContext();
        var admins = await db.Users.CountAsync(u => u.Role == FleetRole.Admin && u.DisabledAt == null, Cancel);
        Assert.True(admins == 1, $"{admins} enabled admins left after {first} → {statuses[0]}, {second} → {statuses[1]}");
        Assert.Contains(HttpStatusCode.Conflict, statuses);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient admin, string change, Guid user)
    {
        using var response = change switch
        {
            "demote" => await admin.PatchAsJsonAsync($"api/v1/users/{user}", new UpdateUserRequest { Role = FleetRole.Viewer }, FleetJson.Options, Cancel),
            "disable" => await admin.PatchAsJsonAsync($"api/v1/users/{user}", new UpdateUserRequest { Disabled = true }, FleetJson.Options, Cancel),
            "delete" => await admin.DeleteAsync(new Uri($"api/v1/users/{user}", UriKind.Relative), Cancel),
            _ => throw new ArgumentOutOfRangeException(nameof(change), change, null),
        };
        return response.StatusCode;
    }

    /// <summary>Waits until <paramref name="count"/> other sessions wait for a lock on <c>users</c>.</summary>
    private static async Task WaitForWaitersAsync(NpgsqlConnection connection, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        await using var query = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'users' AND NOT l.granted",
            connection);
        while ((long)(await query.ExecuteScalarAsync(Cancel))! < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} requests reached the users table within 60 s");
            await Task.Delay(20, Cancel);
        }
    }
}
