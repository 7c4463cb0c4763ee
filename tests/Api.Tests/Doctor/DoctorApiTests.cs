using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Doctor;

/// <summary>
/// <c>GET /api/v1/links/{id}/diagnosis</c> over stored samples (written as the hub writes them): the window bounds the
/// evidence, the verdict and findings come back with their numbers, bad windows and unknown links are problems.
/// </summary>
public abstract class DoctorApiTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LossyMemberInTheWindow_LimitedWithTheFindingAndTheEvidence()
    {
        var link = await CreateStriperLinkAsync();
        var now = DateTime.UtcNow;

        // The last 10 minutes: eth1 clean, eth2 losing 6 %. Two hours ago eth1 was the lossy one: outside the window.
        await StoreAsync(link, now.AddMinutes(-10), 600, eth1Loss: 0.05, eth2Loss: 6);
        await StoreAsync(link, now.AddHours(-2), 300, eth1Loss: 30, eth2Loss: 0.05);

        using var viewer = Client(ViewerKey);
        var diagnosis = await GetAsync(viewer, $"api/v1/links/{link}/diagnosis");

        Assert.Equal(link, diagnosis.LinkId);
        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        var finding = Assert.Single(diagnosis.Findings);
        Assert.Equal(("lossy_member", FindingSeverity.Warning, "eth2"), (finding.Code, finding.Severity, finding.Member));
        Assert.Contains("loss 6 % on eth2 against 0.1 %", finding.Observed, StringComparison.Ordinal);
        var eth2 = diagnosis.Members.Single(m => m.Member == "eth2");
        Assert.Equal(600, eth2.Samples);
        Assert.Equal(3, eth2.Weight);
        Assert.Equal(30e6, eth2.BitsPerSecond, 1); // 3.75 MB a second, both directions together
        Assert.Equal(TimeSpan.FromMinutes(15), diagnosis.To - diagnosis.From);
    }

    [Fact]
    public async Task BondReportedWithItsState_LacpNotAggregatingWithTheDriversNumbers()
    {
        var (link, host) = await CreateLinkAsync(Specs.Bond(mode: BondMode.Ieee8023ad));
        await StoreAsync(link, DateTime.UtcNow.AddMinutes(-5), 120, eth1Loss: 0, eth2Loss: 0);
        var bond = new ObservedBond
        {
            MiimonMs = 100,
            ActiveAggregatorId = 1,
            Members =
            [
                new ObservedBondMember { Member = "eth1", SpeedMbps = 1000, AggregatorId = 1, PartnerMacAddress = "00:1b:21:3c:9d:40" },
                new ObservedBondMember { Member = "eth2", SpeedMbps = 1000, AggregatorId = 2, PartnerMacAddress = "00:00:00:00:00:00" },
            ],
        };

        // As the hub records an agent's report: the link's state, with the bond's driver report beside it.
        var recorded = await Api.Services.GetRequiredService<LinkStateRecorder>().RecordAsync(host, new ObservedLinkState
        {
            LinkId = link,
            ObservedGeneration = 1,
            TargetGeneration = 1,
            Phase = LinkPhase.Applied,
            Time = DateTimeOffset.UtcNow,
            Bond = bond,
        }, new ReportOrder(1, 1), Cancel);

        using var viewer = Client(ViewerKey);
        var diagnosis = await GetAsync(viewer, $"api/v1/links/{link}/diagnosis");

        Assert.Equal(LinkStateOutcome.Recorded, recorded);
        Assert.Equal(DoctorVerdict.Limited, diagnosis.Verdict);
        var finding = diagnosis.Findings[0];
        Assert.Equal(("lacp_not_aggregating", "eth2"), (finding.Code, finding.Member));
        Assert.Contains("partner MAC 00:00:00:00:00:00 (no LACPDU received), aggregator 2; the bond's active aggregator is 1 (eth1)", finding.Observed, StringComparison.Ordinal);
        Assert.Equal(bond, diagnosis.Bond);
        Assert.Equal(1e9, diagnosis.Members[0].InterfaceSpeedBitsPerSecond);
    }

    [Fact]
    public async Task ShortWindow_OnlyItsSamples()
    {
        var link = await CreateStriperLinkAsync();
        await StoreAsync(link, DateTime.UtcNow.AddMinutes(-10), 300, eth1Loss: 0.05, eth2Loss: 6);

        using var viewer = Client(ViewerKey);
        var diagnosis = await GetAsync(viewer, $"api/v1/links/{link}/diagnosis?windowMinutes=2");

        Assert.Equal(DoctorVerdict.NoData, diagnosis.Verdict);
        Assert.All(diagnosis.Members, m => Assert.Equal(0, m.Samples));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("61")]
    [InlineData("-5")]
    public async Task WindowOutOfRange_400WithTheField(string minutes)
    {
        var link = await CreateStriperLinkAsync();
        using var viewer = Client(ViewerKey);

        using var response = await viewer.GetAsync(new Uri($"api/v1/links/{link}/diagnosis?windowMinutes={minutes}", UriKind.Relative), Cancel);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("1 to 60", problem.GetProperty("errors").GetProperty("windowMinutes")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownLink_404()
    {
        await CreateStriperLinkAsync();
        using var viewer = Client(ViewerKey);
        using var response = await viewer.GetAsync(new Uri($"api/v1/links/{Guid.CreateVersion7()}/diagnosis", UriKind.Relative), Cancel);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
    }

    private string ViewerKey { get; set; } = "";

    private async Task<Guid> CreateStriperLinkAsync() => (await CreateLinkAsync(Specs.Striper())).Link;

    private async Task<(Guid Link, Guid Host)> CreateLinkAsync(LinkSpec spec)
    {
        using var admin = Client();
        ViewerKey = (await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "doctor-viewer-" + Guid.NewGuid().ToString("N")[..8])).Secret;
        var host = await FleetRequests.EnrollHostAsync(admin);
        using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = spec }, FleetJson.Options, Cancel);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
        return ((await ReadAsync<LinkDto>(response)).Id, host.HostId);
    }

    private async Task StoreAsync(Guid link, DateTime start, int seconds, double eth1Loss, double eth2Loss)
    {
        await using var db = Database.CreateContext();
        for (var i = 0; i < seconds; i++)
        {
            foreach (var (member, loss) in new[] { ("eth1", eth1Loss), ("eth2", eth2Loss) })
            {
                db.Samples.Add(new SampleEntity
                {
                    LinkId = link,
                    Member = member,
                    Time = start.AddSeconds(i),
                    IntervalMs = 1000,
                    TxBytes = member == "eth1" ? 1_000_000 : 3_000_000,
                    RxBytes = member == "eth1" ? 250_000 : 750_000,
                    RttMs = 20,
                    LossPercent = loss,
                    Health = MemberHealth.Up,
                });
            }
        }

        await db.SaveChangesAsync(Cancel);
    }

    private static async Task<Diagnosis> GetAsync(HttpClient client, string uri)
    {
        using var response = await client.GetAsync(new Uri(uri, UriKind.Relative), Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Cancel));
        return (await response.Content.ReadFromJsonAsync<Diagnosis>(FleetJson.Options, Cancel))!;
    }
}

public sealed class SqliteDoctorApiTests(PostgresFixture postgres) : DoctorApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresDoctorApiTests(PostgresFixture postgres) : DoctorApiTests(DatabaseProvider.Postgres, postgres);
