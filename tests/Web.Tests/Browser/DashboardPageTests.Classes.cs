using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Samples.Ingest;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>
    /// Issue 13: a striper link given a traffic class (through REST, rolled out to the demo agent) shows a chart card
    /// per class with its throughput, overhead and loss after FEC, and its members' tier and why they carry no traffic.
    /// The demo's simulated agents run no striper engine, so the class samples and member states are written the way
    /// the ingestion writes them.
    /// </summary>
    [Fact]
    public async Task LinkPage_StriperLinkWithClasses_ShowsClassChartsAndMemberTiers()
    {
        var cancel = TestContext.Current.CancellationToken;
        var linkId = (await fixture.LinksAsync(LinkKind.Striper))[1].Id;
        using var admin = fixture.Api.CreateClient();
        var link = (await admin.GetFromJsonAsync<LinkDto>($"api/v1/links/{linkId}", FleetJson.Options, cancel))!;
        var spec = link.Spec with
        {
            Striper = link.Spec.Striper! with { Classes = [new TrafficClassSpec { Name = "voice", Match = new TrafficMatch { Protocol = "udp", DestinationPorts = ["5060"] }, Action = TrafficAction.Pin }] },
        };
        using (var put = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{linkId}/spec?reason=classes") { Content = JsonContent.Create(spec, options: FleetJson.Options) })
        {
            put.Headers.TryAddWithoutValidation("If-Match", link.ETag);
            using var response = await admin.SendAsync(put, cancel);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(cancel));
        }

        var members = link.Members.Select(m => m.Interface).ToList();
        var (first, last) = (members[0], members[^1]);
        var now = DateTimeOffset.UtcNow;
        await using (var db = fixture.CreateDbContext())
        {
            for (var i = 60; i > 0; i--)
            {
                var time = now.AddSeconds(-i);
                db.ClassSamples.Add(IngestRows.Class(new ClassSample { LinkId = linkId, Class = "default", Action = "default", Time = time, IntervalMs = 1000, TxPackets = 800, TxBytes = 1_000_000, RxPackets = 700, RxBytes = 900_000 }));
                db.ClassSamples.Add(IngestRows.Class(new ClassSample
                {
                    LinkId = linkId, Class = "voice", Action = "pin", Time = time, IntervalMs = 1000, TxPackets = 200, TxBytes = 32_000, DuplicatesSent = 20, DuplicateBytes = 3_200,
                    RxPackets = 200, RxBytes = 32_000, FecLost = i % 10 == 0 ? 1 : 0, PinnedMember = members[0],
                }));
            }

            await db.SaveChangesAsync(cancel);
            await db.Members.Where(m => m.LinkId == linkId && m.Interface == last)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Tier, LinkTier.Overflow).SetProperty(m => m.IdleReason, "overflow: the primaries are not saturated"), cancel);
            await db.Members.Where(m => m.LinkId == linkId && m.Interface == first)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Tier, LinkTier.Primary).SetProperty(m => m.IdleReason, (string?)null), cancel);
        }

        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
        await page.GotoAsync(Url($"/links/{linkId}"));

        var classes = page.GetByTestId("class-charts");
        await Assertions.Expect(classes.GetByRole(AriaRole.Heading, new() { Name = "Traffic classes" })).ToBeVisibleAsync();
        await Assertions.Expect(classes.Locator("article.class-chart")).ToHaveCountAsync(2);
        var voice = classes.Locator("article[data-class=voice]");
        await Assertions.Expect(voice.GetByTestId("class-action")).ToHaveTextAsync("pin");
        foreach (var metric in new[] { "class-throughput", "class-overhead", "class-fec" })
        {
            await Assertions.Expect(voice.Locator($"figure.plot[data-metric={metric}] svg path").First).ToHaveAttributeAsync("d", new System.Text.RegularExpressions.Regex("^M"));
        }

        // 3,200 duplicate bytes on 32,000: 10 % overhead; 256 kbit/s sent.
        await Assertions.Expect(voice.Locator("figure[data-metric=class-overhead] [data-value-of=overhead]")).ToHaveTextAsync("10 %");
        await Assertions.Expect(voice.Locator("figure[data-metric=class-throughput] [data-value-of=tx]")).ToContainTextAsync("256");

        var table = page.GetByTestId("members");
        await Assertions.Expect(table.Locator($"tr[data-member={members[^1]}] [data-testid=member-tier]")).ToHaveTextAsync("overflow");
        await Assertions.Expect(table.Locator($"tr[data-member={members[^1]}] [data-testid=member-idle]")).ToHaveTextAsync("overflow: the primaries are not saturated");
        await Assertions.Expect(table.Locator($"tr[data-member={members[0]}] [data-testid=member-idle]")).ToHaveTextAsync("carrying traffic");
        await Screenshots.SaveAsync(page, "link-classes");

        // The policy editor lists the classes in force in a table beside their JSON.
        await page.GetByTestId("edit-policy").ClickAsync();
        var classTable = page.GetByTestId("class-table");
        await Assertions.Expect(classTable.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(classTable.Locator("tr[data-class=voice]")).ToContainTextAsync("udp · dst port 5060");
        await Assertions.Expect(classTable.Locator("tr[data-class=voice]")).ToContainTextAsync("pin to the lowest-RTT member");

        // The rollout of the class list ends before the next test uses the link.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        await using var check = fixture.CreateDbContext();
        while (await check.Links.Where(l => l.Id == linkId).Select(l => l.Phase).SingleAsync(cancel) != LinkPhase.Applied && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250, cancel);
        }
    }
}
