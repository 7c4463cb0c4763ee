using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Api.Samples.Ingest;
using Fleet.Api.Security;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Links;

/// <summary>
/// Issue 17, control plane: an aggregator is a link of kind aggregator, and one call adds a site to it: the site's
/// striper link on its host (every member dialing the aggregator, its site id, prefix and key allocated by the Api)
/// and the aggregator's entry for it, in one transaction. Removing a site removes both sides and frees its id and
/// prefix. The two sides cannot be changed apart.
/// </summary>
public abstract class AggregatorSiteTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddSite_OneCall_SiteLinkDialsTheAggregatorAndTheAggregatorHasItsEntry()
    {
        using var feed = Api.Services.GetRequiredService<ILinkChangeFeed>().Subscribe();
        using var admin = Client();
        var (hub, site, _) = await HostsAsync(admin);
        var aggregator = await CreateAggregatorAsync(admin, hub);
        Drain(feed);

        using var response = await AddSiteAsync(admin, aggregator.Id, Site(site));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var dto = await ReadAsync<AggregatorSiteDto>(response);
        Assert.Equal($"/api/v1/links/{aggregator.Id}/sites/1", response.Headers.Location!.OriginalString);

        // The first /28 holds the aggregator's own 10.100.0.1, so the first site gets the next one.
        Assert.Equal((1, "10.100.0.16/28", "10.100.0.17/16"), (dto.SiteId, dto.Prefix, dto.TunnelAddress));
        Assert.Equal(LinkMapping.RedactedKey, dto.Link!.Spec.Striper!.Key);
        Assert.Equal((site, "agg0", 1L), (dto.Link.HostId, dto.Link.Name, dto.Link.DesiredGeneration));

        var (hubSpec, siteSpec) = await StoredAsync(aggregator.Id, dto.Link.Id);
        Assert.Equal(LinkKind.Striper, siteSpec.Kind);
        Assert.Equal(1, siteSpec.Striper!.SiteId);
        Assert.Equal(["10.100.0.17/16"], siteSpec.Addresses);
        Assert.Equal([("p1", "10.101.1.2:7000"), ("p2", "10.101.1.2:7000")], siteSpec.Members.Select(m => (m.Interface, m.Peer!)));
        Assert.All(siteSpec.Members, m => Assert.Null(m.LocalPort));
        var entry = Assert.Single(hubSpec.Aggregator!.Sites);
        Assert.Equal((1, 2, "10.100.0.16/28"), (entry.Id, entry.Paths, Assert.Single(entry.Prefixes)));
        Assert.Equal(siteSpec.Striper.Key, entry.Striper.Key);
        Assert.Equal(32, Convert.FromBase64String(entry.Striper.Key).Length);
        Assert.Null(entry.Striper.SiteId);

        // Both sides in one transaction: the aggregator's next generation, the site's link linked to it, keys encrypted
        // at rest on both; each agent hears of its side.
        await using var db = Database.CreateContext();
        var rows = await db.Links.AsNoTracking().Where(l => l.Id == aggregator.Id || l.Id == dto.Link.Id).ToListAsync(Cancel);
        Assert.All(rows, l => Assert.True(StriperKeyProtection.IsStored(l.Spec)));
        Assert.Equal(2, rows.Single(l => l.Id == aggregator.Id).DesiredGeneration);
        Assert.Equal(aggregator.Id, rows.Single(l => l.Id == dto.Link.Id).AggregatorId);
        Assert.Equal([(LinkChangeKind.Created, site), (LinkChangeKind.SpecChanged, hub)], Drain(feed).Select(c => (c.Kind, c.HostId)));
    }

    [Fact]
    public async Task RemoveSite_BothSidesGo_ItsIdAndPrefixAreFreeAgain()
    {
        using var admin = Client();
        var (hub, site, other) = await HostsAsync(admin);
        var aggregator = await CreateAggregatorAsync(admin, hub);
        var first = await ReadAsync<AggregatorSiteDto>(await AddSiteAsync(admin, aggregator.Id, Site(site)));
        var second = await ReadAsync<AggregatorSiteDto>(await AddSiteAsync(admin, aggregator.Id, Site(other)));
        Assert.Equal((2, "10.100.0.32/28"), (second.SiteId, second.Prefix));

        using var removed = await admin.DeleteAsync($"api/v1/links/{aggregator.Id}/sites/1", Cancel);

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await using (var db = Database.CreateContext())
        {
            var siteLink = await db.Links.AsNoTracking().SingleAsync(l => l.Id == first.Link!.Id, Cancel);
            Assert.NotNull(siteLink.DeletedAt);
        }

        var (hubSpec, _) = await StoredAsync(aggregator.Id, second.Link!.Id);
        Assert.Equal([2], hubSpec.Aggregator!.Sites.Select(s => s.Id));
        var list = await admin.GetFromJsonAsync<List<AggregatorSiteDto>>($"api/v1/links/{aggregator.Id}/sites", FleetJson.Options, Cancel);
        Assert.Equal([2], list!.Select(s => s.SiteId));
        await ProblemAssert.IsProblemAsync(await admin.GetAsync($"api/v1/links/{aggregator.Id}/sites/1", Cancel), HttpStatusCode.NotFound);

        // A site added again gets the freed id and prefix.
        var again = await ReadAsync<AggregatorSiteDto>(await AddSiteAsync(admin, aggregator.Id, Site(site)));
        Assert.Equal((1, "10.100.0.16/28"), (again.SiteId, again.Prefix));
    }

    [Fact]
    public async Task TheTwoSides_CannotBeChangedApart()
    {
        using var admin = Client();
        var (hub, site, _) = await HostsAsync(admin);
        var aggregator = await CreateAggregatorAsync(admin, hub);
        var added = await ReadAsync<AggregatorSiteDto>(await AddSiteAsync(admin, aggregator.Id, Site(site)));
        var snapshot = await Database.SnapshotAsync();

        // The site's link alone: refused, it goes with its site.
        var siteLink = await admin.GetFromJsonAsync<LinkDto>($"api/v1/links/{added.Link!.Id}", FleetJson.Options, Cancel);
        using var deleteSiteLink = new HttpRequestMessage(HttpMethod.Delete, $"api/v1/links/{siteLink!.Id}");
        var problem = await ProblemAssert.IsProblemAsync(await admin.SendAsync(deleteSiteLink, Cancel), HttpStatusCode.Conflict);
        Assert.Contains($"/api/v1/links/{aggregator.Id}/sites/1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The aggregator with a site: not deleted, its sites not edited by hand, its port not moved.
        await ProblemAssert.IsProblemAsync(await admin.DeleteAsync($"api/v1/links/{aggregator.Id}", Cancel), HttpStatusCode.Conflict);
        var current = await admin.GetFromJsonAsync<LinkDto>($"api/v1/links/{aggregator.Id}", FleetJson.Options, Cancel);
        var noSites = current!.Spec with { Aggregator = current.Spec.Aggregator! with { Sites = [] } };
        await ProblemAssert.IsProblemAsync(await PutSpecAsync(admin, current, noSites), HttpStatusCode.Conflict);
        var moved = current.Spec with { Members = [current.Spec.Members[0] with { LocalPort = 7100 }] };
        await ProblemAssert.IsProblemAsync(await PutSpecAsync(admin, current, moved), HttpStatusCode.Conflict);
        Assert.Equal(snapshot, await Database.SnapshotAsync());

        // What does not touch the sites still changes: the aggregator's MTU.
        using var mtu = await PutSpecAsync(admin, current, current.Spec with { Mtu = 1400 });
        Assert.Equal(HttpStatusCode.OK, mtu.StatusCode);
    }

    [Fact]
    public async Task AddSite_BadRequests_RefusedWithNothingChanged()
    {
        using var admin = Client();
        var (hub, site, _) = await HostsAsync(admin);
        var aggregator = await CreateAggregatorAsync(admin, hub, "10.100.0.1/29", sitePrefixLength: 30);
        using var viewer = Client((await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "viewer")).Secret);
        var striper = await ReadAsync<LinkDto>(await admin.PostAsJsonAsync(
            "api/v1/links", new CreateLinkRequest { HostId = site, Spec = Specs.Striper("str9") }, FleetJson.Options, Cancel));
        var snapshot = await Database.SnapshotAsync();

        await ProblemAssert.IsProblemAsync(await AddSiteAsync(viewer, aggregator.Id, Site(site)), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await AddSiteAsync(admin, Guid.NewGuid(), Site(site)), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await AddSiteAsync(admin, striper.Id, Site(site)), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await AddSiteAsync(admin, aggregator.Id, Site(Guid.NewGuid())), HttpStatusCode.NotFound);
        var own = await ProblemAssert.IsProblemAsync(await AddSiteAsync(admin, aggregator.Id, Site(hub)), HttpStatusCode.UnprocessableEntity);
        Assert.True(own.GetProperty("errors").TryGetProperty("hostId", out _), own.ToString());
        var bad = await ProblemAssert.IsProblemAsync(
            await AddSiteAsync(admin, aggregator.Id, Site(site) with { Members = [new AggregatorSiteMember { Interface = "no such/if" }] }),
            HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("members[0].interface", out _), bad.ToString());
        var none = await ProblemAssert.IsProblemAsync(await AddSiteAsync(admin, aggregator.Id, Site(site) with { Members = [] }), HttpStatusCode.BadRequest);
        Assert.True(none.GetProperty("errors").TryGetProperty("members", out _), none.ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());

        // A /29 of /30s: the block holding .1 is the aggregator's, the next is the one site's; then it is full.
        var only = await ReadAsync<AggregatorSiteDto>(await AddSiteAsync(admin, aggregator.Id, Site(site)));
        Assert.Equal("10.100.0.4/30", only.Prefix);
        var full = await ProblemAssert.IsProblemAsync(await AddSiteAsync(admin, aggregator.Id, Site(site, "agg1")), HttpStatusCode.Conflict);
        Assert.Contains("10.100.0.0/29", full.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AggregatorLink_ItsOwnRules_FieldErrors()
    {
        using var admin = Client();
        var (hub, _, _) = await HostsAsync(admin);
        var twoMembers = Aggregator() with { Members = [new MemberSpec { Interface = "p1", LocalPort = 7000 }, new MemberSpec { Interface = "p2", LocalPort = 7000 }] };
        var noPort = Aggregator() with { Members = [new MemberSpec { Interface = "p1" }] };
        var noAddress = Aggregator() with { Addresses = [] };

        foreach (var (spec, field) in new[] { (twoMembers, "spec.members"), (noPort, "spec.members[0].localPort"), (noAddress, "spec.addresses") })
        {
            using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = hub, Spec = spec }, FleetJson.Options, Cancel);
            var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    [Fact]
    public async Task Dashboard_AddsListsAndRemovesThroughTheSameCommands()
    {
        using var admin = Client();
        var (hub, site, _) = await HostsAsync(admin);
        var aggregator = await CreateAggregatorAsync(admin, hub);

        await using (var viewer = DashboardDoor.As(Api, DashboardDoor.AsApiKey(FleetRoles.Viewer, "watcher")))
        {
            var refused = await viewer.AggregatorSites.AddAsync(aggregator.Id, site, "agg0", ["p1", "p2"], Cancel);
            Assert.Null(refused.SiteId);
            Assert.NotNull(refused.Refusal);
        }

        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        Assert.Equal(["site-a", "site-b"], (await dashboard.AggregatorSites.CandidateHostsAsync(aggregator.Id, Cancel)).Select(h => h.Name));

        var added = await dashboard.AggregatorSites.AddAsync(aggregator.Id, site, "agg0", ["p1", "p2"], Cancel);

        Assert.Equal((1, null), (added.SiteId, added.Refusal));
        var row = Assert.Single(await dashboard.AggregatorSites.SitesAsync(aggregator.Id, Cancel));
        Assert.Equal((1, "10.100.0.16/28", "10.100.0.17/16", "site-a", "agg0", 2), (row.SiteId, row.Prefix, row.TunnelAddress, row.HostName, row.LinkName, row.Members));
        var of = await dashboard.AggregatorSites.SiteOfAsync(row.LinkId!.Value, Cancel);
        Assert.Equal((aggregator.Id, "hub0", "hub", 1), (of!.AggregatorId, of.AggregatorName, of.AggregatorHostName, of.SiteId));
        Assert.Null(await dashboard.AggregatorSites.SiteOfAsync(aggregator.Id, Cancel));

        // A refusal reads as a sentence naming the field.
        var bad = await dashboard.AggregatorSites.AddAsync(aggregator.Id, site, "agg1", ["no such/if"], Cancel);
        Assert.Contains("members[0].interface", bad.Refusal, StringComparison.Ordinal);

        // Changing the uplinks: the same command as PUT, a path kept keeps its weight.
        using (var weighted = await PutSiteAsync(admin, aggregator.Id, 1, new UpdateAggregatorSiteRequest
               {
                   Members = [new AggregatorSiteMember { Interface = "p1", Weight = 3 }, new AggregatorSiteMember { Interface = "p2" }],
               }))
        {
            Assert.Equal(HttpStatusCode.OK, weighted.StatusCode);
        }

        // The panel's posts are requests of their own (static rendering), each with its own scope, as here after REST's change.
        await using var next = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        Assert.Equal((1, null), (await next.AggregatorSites.EditAsync(aggregator.Id, 1, ["p2", "p1"], Cancel)) is var edited ? (edited.SiteId, edited.Refusal) : default);
        var changed = Assert.Single(await next.AggregatorSites.SitesAsync(aggregator.Id, Cancel));
        Assert.Equal(["p2", "p1"], changed.Interfaces!);
        var (_, siteSpec) = await StoredAsync(aggregator.Id, changed.LinkId!.Value);
        Assert.Equal([("p2", (double?)null), ("p1", 3)], siteSpec.Members.Select(m => (m.Interface, m.Weight)));
        Assert.Contains("members[0].interface", (await next.AggregatorSites.EditAsync(aggregator.Id, 1, ["no such/if"], Cancel)).Refusal, StringComparison.Ordinal);

        Assert.Equal((1, null), (await next.AggregatorSites.RemoveAsync(aggregator.Id, 1, Cancel)) is var removed ? (removed.SiteId, removed.Refusal) : default);
        Assert.Empty(await next.AggregatorSites.SitesAsync(aggregator.Id, Cancel));
        using var audit = await admin.GetAsync("api/v1/audit?limit=50", Cancel);
        Assert.Contains("link.delete", await audit.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportedSites_StoredAsSamples_ServedWithTheSitesOnRestAndDashboard()
    {
        using var admin = Client();
        var (hub, site, other) = await HostsAsync(admin);
        var aggregator = await CreateAggregatorAsync(admin, hub);
        await ReadAsync<AggregatorSiteDto>(await AddSiteAsync(admin, aggregator.Id, Site(site)));
        await ReadAsync<AggregatorSiteDto>(await AddSiteAsync(admin, aggregator.Id, Site(other)));
        var now = DateTimeOffset.UtcNow;
        var (round, up) = (new DateTimeOffset(now.UtcDateTime.AddSeconds(-2).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero), now.AddMinutes(-5));
        MemberSample Sample(string member, DateTimeOffset time, MemberHealth health, long rxBytes = 0, long txBytes = 0, double? rttMs = null) => new()
        {
            LinkId = aggregator.Id, Member = member, Time = time, IntervalMs = 1000, Health = health, RxBytes = rxBytes, TxBytes = txBytes, RttMs = rttMs,
        };

        // The aggregator's agent reports its socket, site 1's session and paths (one down), an older round, and site 1's session coming up.
        var batch = new SampleBatch
        {
            Sequence = 1,
            QueueId = Guid.CreateVersion7(),
            Samples =
            [
                Sample("s1.0", round.AddSeconds(-1), MemberHealth.Down),
                Sample("p1", round, MemberHealth.Up),
                Sample(AggregatorSiteMembers.Session(1), round, MemberHealth.Up),
                Sample(AggregatorSiteMembers.Path(1, 0), round, MemberHealth.Up, rxBytes: 125_000, txBytes: 250_000, rttMs: 12.5),
                Sample(AggregatorSiteMembers.Path(1, 1), round, MemberHealth.Down, rxBytes: 1_000),
            ],
            Events = [new AgentEvent { Time = up, Kind = AgentEventKind.MemberUp, LinkId = aggregator.Id, Member = "s1", Message = "hub0: member s1 is up again" }],
        };
        Assert.Empty(BatchValidator.Validate(batch, now));
        Assert.Equal(new BatchAck(1), await Api.Services.GetRequiredService<SampleIngestion>().SubmitAsync(hub, batch, Cancel));

        var sites = await admin.GetFromJsonAsync<List<AggregatorSiteDto>>($"api/v1/links/{aggregator.Id}/sites", FleetJson.Options, Cancel);

        var seen = sites![0].Observed!;
        Assert.Equal((round, true, up.ToUnixTimeMilliseconds()), (seen.Time, seen.SessionEstablished, seen.SessionSince!.Value.ToUnixTimeMilliseconds()));
        Assert.Equal((1_008_000.0, 2_000_000.0), (seen.RxBitsPerSecond, seen.TxBitsPerSecond));
        Assert.Equal([(0, MemberHealth.Up, (double?)12.5), (1, MemberHealth.Down, null)], seen.Paths.Select(p => (p.Index, p.Health, p.RttMs)));
        Assert.Null(sites[1].Observed);
        var one = await admin.GetFromJsonAsync<AggregatorSiteDto>($"api/v1/links/{aggregator.Id}/sites/1", FleetJson.Options, Cancel);
        Assert.Equal(seen.Paths, one!.Observed!.Paths);

        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey(FleetRoles.Viewer, "watcher"));
        var rows = await dashboard.AggregatorSites.SitesAsync(aggregator.Id, Cancel);
        Assert.Equal((true, 2), (rows[0].AtAggregator!.SessionEstablished, rows[0].AtAggregator!.Paths.Count));
    }

    [Fact]
    public async Task EditSite_OneCall_BothSidesGetTheirNextGenerationAndTheSiteKeepsItsIdentity()
    {
        using var feed = Api.Services.GetRequiredService<ILinkChangeFeed>().Subscribe();
        using var admin = Client();
        var (hub, site, _) = await HostsAsync(admin);
        var aggregator = await CreateAggregatorAsync(admin, hub);
        var added = await ReadAsync<AggregatorSiteDto>(await AddSiteAsync(admin, aggregator.Id, Site(site)));
        var (hubBefore, siteBefore) = await StoredAsync(aggregator.Id, added.Link!.Id);
        Drain(feed);
        var edit = new UpdateAggregatorSiteRequest
        {
            Members = [new AggregatorSiteMember { Interface = "p2", Weight = 3 }],
            Striper = new LinkPairStriperOptions { Scheduler = StripeSchedulerKind.RoundRobin },
            Reason = "p1 retired",
        };

        using var response = await PutSiteAsync(admin, aggregator.Id, 1, edit);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var dto = await ReadAsync<AggregatorSiteDto>(response);
        Assert.Equal((1, added.Prefix, added.TunnelAddress, 2L), (dto.SiteId, dto.Prefix, dto.TunnelAddress, dto.Link!.DesiredGeneration));
        var (hubSpec, siteSpec) = await StoredAsync(aggregator.Id, added.Link.Id);
        Assert.Equal([("p2", "10.101.1.2:7000", (double?)3)], siteSpec.Members.Select(m => (m.Interface, m.Peer!, m.Weight)));
        Assert.Equal((StripeSchedulerKind.RoundRobin, siteBefore.Striper!.Key, 1), (siteSpec.Striper!.Scheduler, siteSpec.Striper.Key, siteSpec.Striper.SiteId));
        Assert.Equal(siteBefore.Addresses, siteSpec.Addresses);
        Assert.Equal(siteBefore.Name, siteSpec.Name);
        var entry = Assert.Single(hubSpec.Aggregator!.Sites);
        Assert.Equal((1, StripeSchedulerKind.RoundRobin, siteBefore.Striper.Key), (entry.Paths, entry.Striper.Scheduler, entry.Striper.Key));
        Assert.Equal(hubBefore.Aggregator!.Sites[0].Prefixes, entry.Prefixes);
        Assert.Equal([(LinkChangeKind.SpecChanged, site), (LinkChangeKind.SpecChanged, hub)], Drain(feed).Select(c => (c.Kind, c.HostId)));
        await using (var db = Database.CreateContext())
        {
            var generations = await db.Links.AsNoTracking().Where(l => l.Id == aggregator.Id || l.Id == added.Link.Id).Select(l => l.DesiredGeneration).ToListAsync(Cancel);
            Assert.Equal([3L, 2L], generations.OrderDescending());
            Assert.Equal(2, await db.PolicyRevisions.CountAsync(r => r.Reason == "p1 retired", Cancel));
        }

        // The same change again makes no generation.
        using var again = await PutSiteAsync(admin, aggregator.Id, 1, edit);
        Assert.Equal((HttpStatusCode.OK, 2L), (again.StatusCode, (await ReadAsync<AggregatorSiteDto>(again)).Link!.DesiredGeneration));
    }

    [Fact]
    public async Task EditSite_BadRequests_RefusedWithNothingChanged()
    {
        using var admin = Client();
        var (hub, site, _) = await HostsAsync(admin);
        var aggregator = await CreateAggregatorAsync(admin, hub);
        await ReadAsync<AggregatorSiteDto>(await AddSiteAsync(admin, aggregator.Id, Site(site)));
        using var viewer = Client((await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "viewer")).Secret);
        var good = new UpdateAggregatorSiteRequest { Members = [new AggregatorSiteMember { Interface = "p1" }] };
        var snapshot = await Database.SnapshotAsync();

        await ProblemAssert.IsProblemAsync(await PutSiteAsync(viewer, aggregator.Id, 1, good), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await PutSiteAsync(admin, Guid.NewGuid(), 1, good), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await PutSiteAsync(admin, aggregator.Id, 9, good), HttpStatusCode.NotFound);
        var bad = await ProblemAssert.IsProblemAsync(
            await PutSiteAsync(admin, aggregator.Id, 1, good with { Members = [new AggregatorSiteMember { Interface = "no such/if" }] }), HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("members[0].interface", out _), bad.ToString());
        var none = await ProblemAssert.IsProblemAsync(await PutSiteAsync(admin, aggregator.Id, 1, good with { Members = [] }), HttpStatusCode.BadRequest);
        Assert.True(none.GetProperty("errors").TryGetProperty("members", out _), none.ToString());
        var weight = await ProblemAssert.IsProblemAsync(
            await PutSiteAsync(admin, aggregator.Id, 1, good with { Members = [new AggregatorSiteMember { Interface = "p1", Weight = -1 }] }), HttpStatusCode.BadRequest);
        Assert.True(weight.GetProperty("errors").TryGetProperty("members[0].weight", out _), weight.ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task EditSite_ConcurrentEdits_EachWhollyAppliedOrA409_TheSidesAgree()
    {
        using var admin = Client();
        var (hub, site, _) = await HostsAsync(admin);
        var aggregator = await CreateAggregatorAsync(admin, hub);
        var added = await ReadAsync<AggregatorSiteDto>(await AddSiteAsync(admin, aggregator.Id, Site(site)));
        UpdateAggregatorSiteRequest Edit(int i) => new()
        {
            Members = i % 2 == 0 ? [new AggregatorSiteMember { Interface = "p1", Weight = i + 1 }] : [new AggregatorSiteMember { Interface = "p1" }, new AggregatorSiteMember { Interface = "p2", Weight = i + 1 }],
        };

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => PutSiteAsync(admin, aggregator.Id, 1, Edit(i))));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        var applied = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.True(applied >= 1);
        var (hubSpec, siteSpec) = await StoredAsync(aggregator.Id, added.Link!.Id);
        Assert.Equal(siteSpec.Members.Count, Assert.Single(hubSpec.Aggregator!.Sites).Paths);
        await using var db = Database.CreateContext();
        var generations = await db.Links.AsNoTracking().Where(l => l.Id == aggregator.Id || l.Id == added.Link.Id).Select(l => l.DesiredGeneration).ToListAsync(Cancel);
        Assert.Equal([2L + applied, 1L + applied], generations.OrderDescending());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    /// <summary>Three enrolled hosts whose agents reported p1 and p2 with the lab's addresses: the aggregator's hub and two sites.</summary>
    private async Task<(Guid Hub, Guid Site, Guid Other)> HostsAsync(HttpClient admin)
    {
        var ids = new List<Guid>();
        foreach (var name in new[] { "hub", "site-a", "site-b" })
        {
            ids.Add((await FleetRequests.EnrollHostAsync(admin, name)).HostId);
        }

        await using var db = Database.CreateContext();
        for (var h = 1; h <= ids.Count; h++)
        {
            var host = await db.Hosts.SingleAsync(x => x.Id == ids[h - 1], Cancel);
            host.Interfaces =
            [
                new InterfaceInventory("p1", "veth", null, 1500, true, [$"10.101.{h}.2/24"]),
                new InterfaceInventory("p2", "veth", null, 1500, true, [$"10.102.{h}.2/24"]),
            ];
        }

        await db.SaveChangesAsync(Cancel);
        return (ids[0], ids[1], ids[2]);
    }

    private static LinkSpec Aggregator(string address = "10.100.0.1/16", int sitePrefixLength = AggregatorOptions.DefaultSitePrefixLength) => new()
    {
        Kind = LinkKind.Aggregator,
        Name = "hub0",
        Members = [new MemberSpec { Interface = "p1", LocalPort = 7000 }],
        Addresses = [address],
        Aggregator = new AggregatorOptions { SitePrefixLength = sitePrefixLength },
    };

    private async Task<LinkDto> CreateAggregatorAsync(HttpClient admin, Guid hub, string address = "10.100.0.1/16", int sitePrefixLength = AggregatorOptions.DefaultSitePrefixLength)
    {
        using var response = await admin.PostAsJsonAsync(
            "api/v1/links", new CreateLinkRequest { HostId = hub, Spec = Aggregator(address, sitePrefixLength) }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await ReadAsync<LinkDto>(response);
    }

    private static CreateAggregatorSiteRequest Site(Guid host, string name = "agg0") => new()
    {
        HostId = host,
        Name = name,
        Members = [new AggregatorSiteMember { Interface = "p1" }, new AggregatorSiteMember { Interface = "p2" }],
        Reason = "test",
    };

    private static Task<HttpResponseMessage> AddSiteAsync(HttpClient client, Guid aggregatorId, CreateAggregatorSiteRequest request) =>
        client.PostAsJsonAsync($"api/v1/links/{aggregatorId}/sites", request, FleetJson.Options, Cancel);

    private static Task<HttpResponseMessage> PutSiteAsync(HttpClient client, Guid aggregatorId, int siteId, UpdateAggregatorSiteRequest request) =>
        client.PutAsJsonAsync($"api/v1/links/{aggregatorId}/sites/{siteId}", request, FleetJson.Options, Cancel);

    private static async Task<HttpResponseMessage> PutSpecAsync(HttpClient client, LinkDto link, LinkSpec spec)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{link.Id}/spec") { Content = JsonContent.Create(spec, options: FleetJson.Options) };
        put.Headers.TryAddWithoutValidation("If-Match", link.ETag);
        return await client.SendAsync(put, Cancel);
    }

    private async Task<(LinkSpec Aggregator, LinkSpec Site)> StoredAsync(Guid aggregatorId, Guid siteLinkId)
    {
        await using var db = Database.CreateContext();
        var keys = Api.Services.GetRequiredService<StriperKeyProtection>();
        var aggregator = await db.Links.AsNoTracking().SingleAsync(l => l.Id == aggregatorId, Cancel);
        var site = await db.Links.AsNoTracking().SingleAsync(l => l.Id == siteLinkId, Cancel);
        return (keys.FromStorage(aggregator.Spec), keys.FromStorage(site.Spec));
    }

    private static List<LinkChange> Drain(LinkChangeSubscription subscription)
    {
        var changes = new List<LinkChange>();
        while (subscription.Reader.TryRead(out var change))
        {
            changes.Add(change);
        }

        return changes;
    }
}

public sealed class SqliteAggregatorSiteTests(PostgresFixture postgres) : AggregatorSiteTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresAggregatorSiteTests(PostgresFixture postgres) : AggregatorSiteTests(DatabaseProvider.Postgres, postgres);
