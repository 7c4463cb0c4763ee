using System.Globalization;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Samples;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Fleet.Web.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Samples;

/// <summary>
/// An aggregator's charts and samples in the database (issue 17): its own member and every site's paths summed as
/// <c>all sites</c>, or one site's members alone, the same filter for the charts and for REST's <c>site=</c>; site 1's
/// filter takes nothing of site 10's.
/// </summary>
public abstract class AggregatorSeriesTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override bool UseManualClock => true;

    [Fact]
    public async Task Series_Aggregator_OwnMemberAndAllSitesSummedOrOneSiteAlone()
    {
        await Api.Services.GetRequiredService<SampleRollupService>().StopAsync(Cancel);
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "host-aggregator");
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond("bond0") }, FleetJson.Options, Cancel);
        var link = (await ReadAsync<LinkDto>(created)).Id;
        var now = Clock.GetUtcNow();
        var time = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero) - TimeSpan.FromSeconds(30);
        string own;
        await using (var db = Database.CreateContext())
        {
            // The series query reads the kind; the sites' samples need no site entries.
            await db.Links.Where(l => l.Id == link).ExecuteUpdateAsync(u => u.SetProperty(l => l.Kind, LinkKind.Aggregator), Cancel);
            own = await db.Links.Where(l => l.Id == link).SelectMany(l => l.Members).OrderBy(m => m.Position).Select(m => m.Interface).FirstAsync(Cancel);
            db.Samples.AddRange(
                Sample(link, own, time, 0, MemberHealth.Up),
                Sample(link, "s1", time, 0, MemberHealth.Up),
                Sample(link, "s1.0", time, 1_000, MemberHealth.Up),
                Sample(link, "s1.1", time, 3_000, MemberHealth.Down),
                Sample(link, "s2", time, 0, MemberHealth.Up),
                Sample(link, "s2.0", time, 500, MemberHealth.Up),
                Sample(link, "s10.0", time, 7, MemberHealth.Up));
            await db.SaveChangesAsync(Cancel);
            var minute = time.UtcDateTime.AddTicks(-(time.UtcTicks % TimeSpan.TicksPerMinute));
            await SampleRollupService.RollupAsync(db, minute, minute.AddMinutes(1), Cancel);
        }

        using var scope = Api.Services.CreateScope();
        var query = scope.ServiceProvider.GetRequiredService<ILinkSeriesQuery>();
        foreach (var range in new[] { ChartRange.Live, ChartRange.Hour })
        {
            var all = await query.GetSeriesAsync(link, range, siteId: null, Cancel);
            Assert.Equal([own, AggregatorSiteMembers.AllSites], all!.Members.Select(m => m.Member));
            var sum = Assert.Single(all.Members[1].Points);
            Assert.Equal((1_000 + 3_000 + 500 + 7) * 8, sum.TxBitsPerSecond);
            Assert.Equal(MemberHealth.Degraded, sum.Health);

            var site = await query.GetSeriesAsync(link, range, siteId: 1, Cancel);
            Assert.Equal(["s1", "s1.0", "s1.1"], site!.Members.Select(m => m.Member).Order(StringComparer.Ordinal));
        }

        var from = Uri.EscapeDataString((time - TimeSpan.FromMinutes(5)).ToString("O", CultureInfo.InvariantCulture));
        var samples = await admin.GetFromJsonAsync<SamplesDto>($"api/v1/links/{link}/samples?site=1&from={from}", FleetJson.Options, Cancel);
        Assert.Equal(["s1", "s1.0", "s1.1"], samples!.Series.Select(s => s.Member).Order(StringComparer.Ordinal));
    }

    private static SampleEntity Sample(Guid link, string member, DateTimeOffset time, long txBytes, MemberHealth health) => new()
    {
        LinkId = link,
        Member = member,
        Time = time.UtcDateTime,
        IntervalMs = 1_000,
        TxBytes = txBytes,
        Health = health,
    };
}

public sealed class SqliteAggregatorSeriesTests(PostgresFixture postgres) : AggregatorSeriesTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresAggregatorSeriesTests(PostgresFixture postgres) : AggregatorSeriesTests(DatabaseProvider.Postgres, postgres);
