using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>
    /// Issue 12: a striper link on round_robin over members of weights 1 and 3, both carrying, shows the Doctor panel
    /// with the <c>scheduler_unsuited</c> finding, its observation and its suggestion, from the same query REST answers
    /// with. The link is created for the test on a demo host (and deleted after it: other tests count the demo's
    /// links); its samples are written the way the ingestion writes them, beside what the demo agent reports.
    /// </summary>
    [Fact]
    public async Task LinkPage_RoundRobinOverUnequalWeights_DoctorPanelShowsTheFinding()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var admin = fixture.Api.CreateClient();
        var (linkId, _) = await CreateDemoStriperLinkAsync(admin, "doctor0", 7100, "10.31.0.1/30", StripeSchedulerKind.RoundRobin, weight2: 3);
        try
        {
            await using (var db = fixture.CreateDbContext())
            {
                var now = DateTime.UtcNow;
                for (var i = 120; i > 0; i--)
                {
                    foreach (var member in new[] { "eth0", "eth1" })
                    {
                        db.Samples.Add(new SampleEntity
                        {
                            LinkId = linkId, Member = member, Time = now.AddSeconds(-i), IntervalMs = 1000,
                            TxBytes = 2_000_000, RxBytes = 500_000, RttMs = 20, LossPercent = 0.01, Health = MemberHealth.Up,
                        });
                    }
                }

                await db.SaveChangesAsync(cancel);
            }

            await using var context = await fixture.Browser.NewContextAsync();
            var page = await context.NewPageAsync();
            await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
            await page.GotoAsync(Url($"/links/{linkId}"));

            var doctor = page.GetByTestId("doctor");
            await Assertions.Expect(doctor.GetByRole(AriaRole.Heading, new() { Name = "Doctor" })).ToBeVisibleAsync();
            await Assertions.Expect(doctor.GetByTestId("doctor-verdict")).ToContainTextAsync("Limited");
            var finding = doctor.Locator("li[data-code=scheduler_unsuited]");
            await Assertions.Expect(finding.Locator("summary")).ToContainTextAsync("round_robin over unequal paths");
            await Assertions.Expect(finding.GetByTestId("finding-observed")).ToContainTextAsync("scheduler round_robin; weights eth0 1, eth1 3");
            await Assertions.Expect(finding.GetByTestId("finding-suggestion")).ToContainTextAsync("weighted");
        }
        finally
        {
            using var deleted = await admin.DeleteAsync(new Uri($"api/v1/links/{linkId}", UriKind.Relative), cancel);
            Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync(cancel));
        }
    }

    /// <summary>
    /// A striper link of two members (eth0 and eth1, weights 1 and <paramref name="weight2"/>) made for a test on the host
    /// of the demo's first striper link; the test deletes it after (other tests count the demo's links).
    /// </summary>
    private async Task<(Guid Link, Guid Host)> CreateDemoStriperLinkAsync(HttpClient admin, string name, int port, string address, StripeSchedulerKind scheduler, double weight2)
    {
        var cancel = TestContext.Current.CancellationToken;
        var hostId = await HostOfAsync((await fixture.LinksAsync(LinkKind.Striper))[0].Id);
        var spec = new LinkSpec
        {
            Kind = LinkKind.Striper,
            Name = name,
            Members =
            [
                new MemberSpec { Interface = "eth0", LocalPort = port, Peer = $"203.0.113.1:{port}", Weight = 1 },
                new MemberSpec { Interface = "eth1", LocalPort = port + 1, Peer = $"203.0.113.2:{port + 1}", Weight = weight2 },
            ],
            Addresses = [address],
            Striper = new StriperOptions { Scheduler = scheduler, Key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) },
        };
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = hostId, Spec = spec }, FleetJson.Options, cancel);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(cancel));
        return ((await created.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options, cancel))!.Id, hostId);
    }

    private async Task<Guid> HostOfAsync(Guid linkId)
    {
        await using var db = fixture.CreateDbContext();
        return await db.Links.Where(l => l.Id == linkId).Select(l => l.HostId).SingleAsync(TestContext.Current.CancellationToken);
    }
}
