using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Demo;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Demo;

/// <summary>
/// <c>--demo</c> creates its enrollment token and links through the same commands as REST (issue 15: it had its
/// own copies), so its token, links, revisions and audit rows are the ones an admin's requests would have written.
/// </summary>
public sealed class DemoFleetDoorTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    private const string DemoActor = "system:demo";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?> { [DemoHosting.ConfigurationKey] = "true" };

    [Fact]
    public async Task Demo_TokenAndLinks_WrittenAsTheRestCommandsWriteThem()
    {
        using var admin = Client();
        await WaitForDemoLinksAsync();

        // The same token through REST, for comparison: the audit rows differ only by who and which token.
        using (var rest = await admin.PostAsJsonAsync("api/v1/enrollment-tokens", new CreateEnrollmentTokenRequest { Description = "demo fleet", ExpiresInSeconds = 600, MaxUses = DemoFleet.Hosts }, FleetJson.Options, Cancel))
        {
            rest.EnsureSuccessStatusCode();
        }

        await using var db = Database.CreateContext();
        var tokenRows = await db.AuditLog.AsNoTracking().Where(a => a.Action == "enrollment_token.create").OrderBy(a => a.Id).ToListAsync(Cancel);
        var demoRow = Assert.Single(tokenRows, a => a.Actor == DemoActor);
        var restRow = tokenRows.Last();
        Assert.Equal(await NormalizeTokenRowAsync(db, restRow), await NormalizeTokenRowAsync(db, demoRow));

        var links = await db.Links.AsNoTracking().Where(l => l.DeletedAt == null).ToListAsync(Cancel);
        Assert.Equal(DemoFleet.Hosts, links.Count);

        // The sites' links too: the site command creates them through LinkCommands, as POST /links/{id}/sites does.
        var linkRows = await db.AuditLog.AsNoTracking().Where(a => a.Action == "link.create").ToListAsync(Cancel);
        Assert.Equal(links.Select(l => l.Id.ToString()).Order(), linkRows.Where(a => a.Actor == DemoActor).Select(a => a.TargetId!).Order());
        var revisions = await db.PolicyRevisions.AsNoTracking().ToListAsync(Cancel);
        Assert.All(revisions, r => Assert.Equal(DemoActor, r.Author));
        var aggregator = Assert.Single(links, l => l.Kind == LinkKind.Aggregator);
        Assert.All(revisions.Where(r => r.LinkId != aggregator.Id), r => Assert.Equal((1L, "demo fleet"), (r.Generation, r.Reason)));
    }

    [Fact]
    public async Task Demo_Aggregator_SitesMadeByTheSiteCommandOnHostsOfTheirOwn()
    {
        using var admin = Client();
        await WaitForDemoLinksAsync();
        Guid aggregatorId;
        await using (var db = Database.CreateContext())
        {
            aggregatorId = await db.Links.AsNoTracking().Where(l => l.Kind == LinkKind.Aggregator && l.DeletedAt == null).Select(l => l.Id).SingleAsync(Cancel);
        }

        // Three sites, each on a host of its own, made by the site command as POST /links/{id}/sites makes them.
        var sites = await admin.GetFromJsonAsync<List<AggregatorSiteDto>>($"api/v1/links/{aggregatorId}/sites", FleetJson.Options, Cancel) ?? [];
        Assert.Equal(Enumerable.Range(1, DemoSpecs.Sites), sites.Select(s => s.SiteId));
        Assert.All(sites, s => Assert.Equal("site0", s.Link?.Name));

        Assert.Equal(DemoSpecs.Sites, sites.Select(s => s.Link?.HostId).Distinct().Count());
        Assert.All(sites, s => Assert.Equal(DemoSpecs.SitePaths, s.Link?.Spec.Members.Count));
    }

    private static async Task<string> NormalizeTokenRowAsync(FleetDbContext db, Fleet.Api.Data.Entities.AuditEntryEntity row)
    {
        var id = Guid.Parse(row.TargetId!);
        var token = await db.EnrollmentTokens.AsNoTracking().SingleAsync(t => t.Id == id, Cancel);
        var normalized = AuditRows.Normalize(row, new Dictionary<string, string> { [token.Id.ToString()] = "<id>", [token.Prefix] = "<prefix>", [row.Actor] = "<actor>" });
        return normalized[(row.Actor.Length + 1)..];
    }

    private async Task WaitForDemoLinksAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        while (true)
        {
            await using (var db = Database.CreateContext())
            {
                if (await db.Links.CountAsync(timeout.Token) >= DemoFleet.Hosts)
                {
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }
}
