using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Hosts;

/// <summary>Hosts: cursor pagination, filters, rename and labels, decommissioning.</summary>
public abstract class HostsApiTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_WithLimit_PagesThroughEveryHostOnceInEnrollmentOrder()
    {
        using var admin = Client();
        var enrolled = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            enrolled.Add((await FleetRequests.EnrollHostAsync(admin, $"node-{i}")).HostId);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await admin.GetFromJsonAsync<Page<HostDto>>($"api/v1/hosts?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}", FleetJson.Options, Cancel);
            seen.AddRange(page!.Items.Select(h => h.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(enrolled, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Update_RenameAndLabels_ThenFilterByLabelAndName()
    {
        using var admin = Client();
        var a = await FleetRequests.EnrollHostAsync(admin, "edge-a");
        var b = await FleetRequests.EnrollHostAsync(admin, "edge-b");

        using (var patch = await admin.PatchAsJsonAsync($"api/v1/hosts/{a.HostId}", new UpdateHostRequest { Name = "Berlin edge", Labels = new Dictionary<string, string> { ["site"] = "ber", ["tier"] = "edge" } }, FleetJson.Options, Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
            var host = await ReadAsync<HostDto>(patch);
            Assert.Equal("Berlin edge", host.Name);
            Assert.Equal("edge-a", host.Hostname);
        }

        using (var patch = await admin.PatchAsJsonAsync($"api/v1/hosts/{b.HostId}", new UpdateHostRequest { Labels = new Dictionary<string, string> { ["site"] = "muc", ["tier"] = "edge" } }, FleetJson.Options, Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        var edge = await admin.GetFromJsonAsync<Page<HostDto>>("api/v1/hosts?label=tier=edge", FleetJson.Options, Cancel);
        Assert.Equal(2, edge!.Items.Count);
        var berlin = await admin.GetFromJsonAsync<Page<HostDto>>("api/v1/hosts?label=tier=edge&label=site=ber", FleetJson.Options, Cancel);
        Assert.Equal([a.HostId], berlin!.Items.Select(h => h.Id));
        var byName = await admin.GetFromJsonAsync<Page<HostDto>>("api/v1/hosts?name=BERLIN", FleetJson.Options, Cancel);
        Assert.Equal([a.HostId], byName!.Items.Select(h => h.Id));

        // Replacing the label set removes labels not given.
        using (var patch = await admin.PatchAsJsonAsync($"api/v1/hosts/{a.HostId}", new UpdateHostRequest { Labels = new Dictionary<string, string> { ["site"] = "ham" } }, FleetJson.Options, Cancel))
        {
            var host = await ReadAsync<HostDto>(patch);
            Assert.Equal(new Dictionary<string, string> { ["site"] = "ham" }, host.Labels);
        }
    }

    [Fact]
    public async Task Decommission_RevokesAgentCredential_HidesHost_AndPublishes()
    {
        using var feed = Api.Services.GetRequiredService<ILinkChangeFeed>().Subscribe();
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "retiring");
        using var agent = Client(host.Credential);
        using (var before = await agent.GetAsync(new Uri("api/v1/me", UriKind.Relative), Cancel))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        using var response = await admin.PostAsync(new Uri($"api/v1/hosts/{host.HostId}/decommission", UriKind.Relative), null, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await ReadAsync<HostDto>(response)).DecommissionedAt);

        // The credential no longer authenticates at all.
        using (var after = await agent.GetAsync(new Uri("api/v1/me", UriKind.Relative), Cancel))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }

        var active = await admin.GetFromJsonAsync<Page<HostDto>>("api/v1/hosts", FleetJson.Options, Cancel);
        Assert.DoesNotContain(active!.Items, h => h.Id == host.HostId);
        var retired = await admin.GetFromJsonAsync<Page<HostDto>>("api/v1/hosts?status=decommissioned", FleetJson.Options, Cancel);
        Assert.Contains(retired!.Items, h => h.Id == host.HostId);
        Assert.True(feed.Reader.TryRead(out var change));
        Assert.Equal(new LinkChange(LinkChangeKind.HostDecommissioned, host.HostId, Guid.Empty, 0), change);

        using var link = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond() }, FleetJson.Options, Cancel);
        await ProblemAssert.IsProblemAsync(link, HttpStatusCode.Conflict);
        await using var db = Database.CreateContext();
        Assert.All(await db.AgentCredentials.Where(c => c.HostId == host.HostId).ToListAsync(Cancel), c => Assert.NotNull(c.RevokedAt));
    }

    [Fact]
    public async Task GetUnknownHost_Returns404()
    {
        using var admin = Client();
        using var response = await admin.GetAsync(new Uri($"api/v1/hosts/{Guid.CreateVersion7()}", UriKind.Relative), Cancel);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
    }
}

public sealed class SqliteHostsApiTests(PostgresFixture postgres) : HostsApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresHostsApiTests(PostgresFixture postgres) : HostsApiTests(DatabaseProvider.Postgres, postgres);
