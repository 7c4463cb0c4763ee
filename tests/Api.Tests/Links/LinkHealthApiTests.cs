using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Links;

/// <summary>
/// REST gives a link's health by the dashboard's rule (issue 19: one implementation): members up but the last change
/// failed is Degraded; no member up is Down.
/// </summary>
public abstract class LinkHealthApiTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(LinkPhase.Applied, MemberHealth.Up, LinkHealth.Healthy)]
    [InlineData(LinkPhase.Failed, MemberHealth.Up, LinkHealth.Degraded)]
    [InlineData(LinkPhase.RolledBack, MemberHealth.Up, LinkHealth.Degraded)]
    [InlineData(LinkPhase.Failed, MemberHealth.Down, LinkHealth.Down)]
    [InlineData(LinkPhase.Pending, MemberHealth.Unknown, LinkHealth.Unknown)]
    public async Task GetLink_HealthCombinesTheRolloutWithTheMembers(LinkPhase phase, MemberHealth members, LinkHealth expected)
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "edge-1");
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond() }, FleetJson.Options, Cancel);
        var link = await ReadAsync<LinkDto>(created);
        await using (var db = Database.CreateContext())
        {
            await db.Links.Where(l => l.Id == link.Id).ExecuteUpdateAsync(u => u.SetProperty(l => l.Phase, phase), Cancel);
            await db.Members.Where(m => m.LinkId == link.Id).ExecuteUpdateAsync(u => u.SetProperty(m => m.Health, members), Cancel);
        }

        var read = await admin.GetFromJsonAsync<LinkDto>($"api/v1/links/{link.Id}", FleetJson.Options, Cancel);
        var listed = await admin.GetFromJsonAsync<Page<LinkDto>>("api/v1/links", FleetJson.Options, Cancel);

        Assert.Equal(expected, read!.Health);
        Assert.Equal(expected, Assert.Single(listed!.Items).Health);
    }
}

public sealed class SqliteLinkHealthApiTests(PostgresFixture postgres) : LinkHealthApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresLinkHealthApiTests(PostgresFixture postgres) : LinkHealthApiTests(DatabaseProvider.Postgres, postgres);
