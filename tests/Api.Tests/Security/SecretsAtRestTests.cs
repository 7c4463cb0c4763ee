using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Security;

/// <summary>Raw rows of the database, read with plain SQL (no EF conversion in between).</summary>
internal static class RawRows
{
    public static async Task<List<string>> TextAsync(TestDatabase database, string sql)
    {
        await using var db = database.CreateContext();
        return await db.Database.SqlQueryRaw<string>(sql).ToListAsync(TestContext.Current.CancellationToken);
    }
}

/// <summary>
/// A striper link's pre-shared key is stored encrypted (data protection) in <c>links.spec</c> and in every
/// <c>policy_revisions.spec</c> row; operators, the audit log's redaction and the agent see it as before.
/// </summary>
public abstract class StriperKeyAtRestTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private const string SecondKey = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StriperKey_IsEncryptedInEveryRow_AndOperatorsAndTheAgentStillGetIt()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "striper-host");
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Striper() }, FleetJson.Options, Cancel);
        var link = await ReadAsync<LinkDto>(created);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{link.Id}/spec")
        {
            Content = JsonContent.Create(Specs.Striper() with { Striper = Specs.Striper().Striper! with { Key = SecondKey } }, options: FleetJson.Options),
        };
        put.Headers.TryAddWithoutValidation("If-Match", link.ETag);
        using (var changed = await admin.SendAsync(put, Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        var rows = (await RawRows.TextAsync(Database, "SELECT spec AS \"Value\" FROM links"))
            .Concat(await RawRows.TextAsync(Database, "SELECT spec AS \"Value\" FROM policy_revisions"))
            .Concat(await RawRows.TextAsync(Database, "SELECT COALESCE(before, '') || COALESCE(after, '') AS \"Value\" FROM audit_log"))
            .ToList();
        Assert.Equal(3, rows.Count(r => r.Contains("\"striper\"", StringComparison.Ordinal) && !r.Contains("\"key\":\"***\"", StringComparison.Ordinal)));
        Assert.All(rows, row =>
        {
            Assert.DoesNotContain(Specs.StriperKey, row, StringComparison.Ordinal);
            Assert.DoesNotContain(SecondKey, row, StringComparison.Ordinal);
        });

        var spec = await admin.GetFromJsonAsync<LinkSpec>($"api/v1/links/{link.Id}/spec", FleetJson.Options, Cancel);
        Assert.Equal(SecondKey, spec!.Striper!.Key);
        var first = await admin.GetFromJsonAsync<PolicyRevisionDto>($"api/v1/links/{link.Id}/revisions/1", FleetJson.Options, Cancel);
        Assert.Equal(Specs.StriperKey, first!.Spec.Striper!.Key);

        var hello = await AgentHelloAsync(Api.Start(), host.Credential);
        Assert.Equal(SecondKey, Assert.Single(hello.Links).Spec.Striper!.Key);
    }

    [Fact]
    public async Task StriperKey_SameSpecAgainIsNoChange_AndRevertRestoresTheFirstKey()
    {
        // Protecting a key gives a different ciphertext each time: equality and revert must look at the key itself.
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "striper-host");
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Striper() }, FleetJson.Options, Cancel);
        var link = await ReadAsync<LinkDto>(created);

        var same = await PutSpecAsync(admin, link.Id, Specs.Striper(), link.ETag);
        Assert.Equal(1, same.DesiredGeneration);
        var changed = await PutSpecAsync(admin, link.Id, Specs.Striper() with { Striper = Specs.Striper().Striper! with { Key = SecondKey } }, same.ETag);
        Assert.Equal(2, changed.DesiredGeneration);
        using (var revert = await admin.PostAsync(new Uri($"api/v1/links/{link.Id}/revisions/1/revert", UriKind.Relative), null, Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, revert.StatusCode);
        }

        using (var again = await admin.PostAsync(new Uri($"api/v1/links/{link.Id}/revisions/1/revert", UriKind.Relative), null, Cancel))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        var hello = await AgentHelloAsync(Api.Start(), host.Credential);
        var desired = Assert.Single(hello.Links);
        Assert.Equal(3, desired.Generation);
        Assert.Equal(Specs.StriperKey, desired.Spec.Striper!.Key);
        Assert.All(await RawRows.TextAsync(Database, "SELECT spec AS \"Value\" FROM policy_revisions"), row => Assert.DoesNotContain(Specs.StriperKey, row, StringComparison.Ordinal));
    }

    private static async Task<LinkDto> PutSpecAsync(HttpClient admin, Guid linkId, LinkSpec spec, string etag)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{linkId}/spec") { Content = JsonContent.Create(spec, options: FleetJson.Options) };
        put.Headers.TryAddWithoutValidation("If-Match", etag);
        using var response = await admin.SendAsync(put, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options, Cancel))!;
    }

    /// <summary>Connects to <c>/hubs/agent</c> as the host's agent and says hello; returns the desired links.</summary>
    internal static async Task<HelloResult> AgentHelloAsync(Uri server, string credential)
    {
        await using var connection = DashboardHubConnection.Build(server, HubRoutes.Agent, credential);
        await connection.StartAsync(Cancel);
        var hello = new AgentHello
        {
            Hostname = "striper-host",
            AgentVersion = "test",
            KernelVersion = "6.1",
            Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper),
            Interfaces = [],
        };
        return await connection.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), hello, Cancel);
    }
}

public sealed class SqliteStriperKeyAtRestTests(PostgresFixture postgres) : StriperKeyAtRestTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresStriperKeyAtRestTests(PostgresFixture postgres) : StriperKeyAtRestTests(DatabaseProvider.Postgres, postgres);

/// <summary>
/// Upgrading a database whose striper keys were stored in plain text (before encryption at rest): the Api encrypts
/// them at start, in the link and in every revision, and serves them as before.
/// </summary>
public abstract class StriperKeyUpgradeTests(DatabaseProvider provider, PostgresFixture postgres) : IAsyncLifetime
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private TestDatabase _database = null!;

    public async ValueTask InitializeAsync() => _database = await TestDatabase.CreateAsync(provider, postgres);

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Start_PlainTextKeysFromAnEarlierVersion_AreEncryptedInPlace()
    {
        // The earlier version's rows, written as it wrote them: the spec JSON with the key in clear.
        var (hostId, linkId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var spec = System.Text.Json.JsonSerializer.Serialize(Specs.Striper(), FleetJson.Options);
        await using (var db = _database.CreateContext())
        {
            await db.Database.MigrateAsync(Cancel);
            var now = DateTime.UtcNow;
            await db.Database.ExecuteSqlAsync($"INSERT INTO hosts (id, name, hostname, enrolled_at) VALUES ({hostId}, 'old-host', 'old-host', {now})", Cancel);
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO links (id, host_id, name, kind, spec, desired_generation, observed_generation, phase, phase_changed_at, created_at, updated_at) VALUES ({linkId}, {hostId}, 'str0', 'Striper', {spec}, 2, 0, 'Pending', {now}, {now}, {now})",
                Cancel);
            for (var generation = 1; generation <= 2; generation++)
            {
                await db.Database.ExecuteSqlAsync(
                    $"INSERT INTO policy_revisions (id, link_id, generation, spec, author, created_at, outcome) VALUES ({Guid.CreateVersion7()}, {linkId}, {generation}, {spec}, 'user:admin', {now}, 'Pending')",
                    Cancel);
            }
        }

        Assert.Equal(3, (await RawRows.TextAsync(_database, "SELECT spec AS \"Value\" FROM links UNION ALL SELECT spec FROM policy_revisions")).Count(r => r.Contains(Specs.StriperKey, StringComparison.Ordinal)));

        await using var api = new FleetApiFactory(_database);
        using var admin = api.CreateBearerClient();

        var rows = await RawRows.TextAsync(_database, "SELECT spec AS \"Value\" FROM links UNION ALL SELECT spec FROM policy_revisions");
        Assert.Equal(3, rows.Count);
        Assert.All(rows, row => Assert.DoesNotContain(Specs.StriperKey, row, StringComparison.Ordinal));
        var served = await admin.GetFromJsonAsync<LinkSpec>($"api/v1/links/{linkId}/spec", FleetJson.Options, Cancel);
        Assert.Equal(Specs.StriperKey, served!.Striper!.Key);
        var revision = await admin.GetFromJsonAsync<PolicyRevisionDto>($"api/v1/links/{linkId}/revisions/1", FleetJson.Options, Cancel);
        Assert.Equal(Specs.StriperKey, revision!.Spec.Striper!.Key);
    }
}

public sealed class SqliteStriperKeyUpgradeTests(PostgresFixture postgres) : StriperKeyUpgradeTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresStriperKeyUpgradeTests(PostgresFixture postgres) : StriperKeyUpgradeTests(DatabaseProvider.Postgres, postgres);

/// <summary>
/// The data-protection key ring (session cookies, antiforgery tokens, striper keys) is encrypted at rest with the
/// certificate from <c>Fleet:DataProtection:CertificatePath</c>, and stays usable across a restart.
/// </summary>
public sealed class KeyRingAtRestTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    [Fact]
    public async Task KeyRing_IsStoredEncrypted_AndSessionsSurviveARestart()
    {
        var jar = new CookieContainer();
        using (var browser = LoopbackBrowser.Create(Api.Start(), jar))
        {
            await LoginForm.LoginAsync(browser, "admin", FleetApiFactory.AdminPassword);
        }

        var keys = await RawRows.TextAsync(Database, "SELECT xml AS \"Value\" FROM data_protection_keys");
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("EncryptedXml", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        });

        // Another process of the same deployment (same database, same certificate) reads the ring and the session.
        await using var restarted = new FleetApiFactory(Database);
        using var again = LoopbackBrowser.Create(restarted.Start(), jar);
        var me = await again.GetFromJsonAsync<CallerDto>("api/v1/me", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Equal("admin", me!.Name);
    }
}

/// <summary>The key ring's certificate as PEM files, the way a Kubernetes TLS secret mounts them (deploy/k8s).</summary>
public sealed class PemKeyRingTests(PostgresFixture postgres) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async ValueTask InitializeAsync() => _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, postgres);

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task KeyRing_PemCertificateAndKey_AsAKubernetesTlsSecretMountsThem()
    {
        var (certificate, key) = TestCertificates.WritePem("fleet-key-ring-pem");
        var settings = new Dictionary<string, string?>
        {
            ["Fleet:DataProtection:CertificatePath"] = certificate,
            ["Fleet:DataProtection:CertificateKeyPath"] = key,
        };
        var jar = new CookieContainer();
        await using (var api = new FleetApiFactory(_database, settings: settings))
        {
            using var browser = LoopbackBrowser.Create(api.Start(), jar);
            await LoginForm.LoginAsync(browser, "admin", FleetApiFactory.AdminPassword);
        }

        Assert.All(await RawRows.TextAsync(_database, "SELECT xml AS \"Value\" FROM data_protection_keys"), xml => Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal));
        await using var restarted = new FleetApiFactory(_database, settings: settings);
        using var again = LoopbackBrowser.Create(restarted.Start(), jar);
        var me = await again.GetFromJsonAsync<CallerDto>("api/v1/me", FleetJson.Options, TestContext.Current.CancellationToken);
        Assert.Equal("admin", me!.Name);
    }
}
