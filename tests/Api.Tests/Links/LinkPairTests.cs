using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Links;

/// <summary>
/// Issue 20, item 2: a host-to-host striper link as one resource. One POST makes both ends (one key, ports, tunnel
/// addresses picked by the Api), one PUT changes both under one ETag, one DELETE removes both; the ends cannot be
/// changed apart; a pair whose paths cannot connect is refused with 422 and field errors.
/// </summary>
public abstract class LinkPairTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_OneCall_BothEndsWithOneKeyListeningPortsAndTunnelAddresses()
    {
        using var feed = Api.Services.GetRequiredService<ILinkChangeFeed>().Subscribe();
        using var admin = Client();
        var (a, b) = await TwoHostsAsync(admin);

        using var response = await PostAsync(admin, Pair(a, b));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var pair = await ReadAsync<LinkPairDto>(response);
        Assert.Equal(pair.ETag, response.Headers.ETag!.ToString());
        Assert.Equal($"/api/v1/link-pairs/{pair.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal(1, pair.Generation);
        Assert.Equal(("10.99.0.1/30", "10.99.0.2/30"), (pair.Spec.A.TunnelAddress, pair.Spec.B.TunnelAddress));
        Assert.Equal((a, b), (pair.A.HostId, pair.B.HostId));
        Assert.All(new[] { pair.A, pair.B }, end =>
        {
            Assert.Equal((1L, LinkPhase.Pending, "str0"), (end.DesiredGeneration, end.Phase, end.Name));
            Assert.Equal(LinkMapping.RedactedKey, end.Spec.Striper!.Key);
        });

        // B listens on each path at its interface's address, A dials it there; both hold the same fresh key.
        var (endA, endB) = await StoredEndsAsync(pair);
        Assert.Equal(["10.99.0.1/30"], endA.Addresses);
        Assert.Equal(["10.99.0.2/30"], endB.Addresses);
        Assert.Equal([("p1", "10.101.2.2", 7000), ("p2", "10.102.2.2", 7001)], endB.Members.Select(m => (m.Interface, m.Address, m.LocalPort!.Value)));
        Assert.Equal([("p1", "10.101.2.2:7000"), ("p2", "10.102.2.2:7001")], endA.Members.Select(m => (m.Interface, m.Peer!)));
        Assert.All(endA.Members, m => Assert.Null(m.LocalPort));
        Assert.Equal(endA.Striper!.Key, endB.Striper!.Key);
        Assert.Equal(32, Convert.FromBase64String(endA.Striper.Key).Length);
        Assert.NotEqual(Specs.StriperKey, endA.Striper.Key);

        // At rest the key is encrypted in both ends; each agent hears of its end.
        await using var db = Database.CreateContext();
        var rows = await db.Links.AsNoTracking().Where(l => l.Id == pair.A.Id || l.Id == pair.B.Id).ToListAsync(Cancel);
        Assert.All(rows, l => Assert.True(StriperKeyProtection.IsStored(l.Spec)));
        Assert.All(rows, l => Assert.Equal(pair.Id, l.PairId));
        Assert.Equal([(LinkChangeKind.Created, a), (LinkChangeKind.Created, b)], Drain(feed).Select(c => (c.Kind, c.HostId)));
        Assert.Equal(1, await db.AuditLog.CountAsync(e => e.Action == "link_pair.create" && e.TargetId == pair.Id.ToString(), Cancel));
    }

    [Fact]
    public async Task Create_SecondPairOnTheSameHosts_PicksTheNextTunnelAndFreePorts()
    {
        using var admin = Client();
        var (a, b) = await TwoHostsAsync(admin);
        using var first = await PostAsync(admin, Pair(a, b));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var second = await PostAsync(admin, Pair(a, b, "str1"));

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var pair = await ReadAsync<LinkPairDto>(second);
        Assert.Equal(("10.99.0.5/30", "10.99.0.6/30"), (pair.Spec.A.TunnelAddress, pair.Spec.B.TunnelAddress));
        var (_, endB) = await StoredEndsAsync(pair);
        Assert.Equal([7002, 7003], endB.Members.Select(m => m.LocalPort!.Value));
    }

    [Fact]
    public async Task ChangeSpec_OnePut_BothEndsNextGenerationKeyPortsAndTunnelKept()
    {
        using var feed = Api.Services.GetRequiredService<ILinkChangeFeed>().Subscribe();
        using var admin = Client();
        var (a, b) = await TwoHostsAsync(admin);
        var created = await ReadAsync<LinkPairDto>(await PostAsync(admin, Pair(a, b)));
        var (keyBefore, _) = await StoredEndsAsync(created);
        Drain(feed);

        var changed = Pair(a, b) with
        {
            Paths = [.. Pair(a, b).Paths.Select((p, i) => p with { Weight = i + 1 })],
            Striper = new LinkPairStriperOptions { Scheduler = StripeSchedulerKind.RoundRobin },
        };
        using var response = await PutAsync(admin, created.Id, changed, created.ETag);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pair = await ReadAsync<LinkPairDto>(response);
        Assert.Equal(2, pair.Generation);
        Assert.Equal(pair.ETag, response.Headers.ETag!.ToString());
        Assert.NotEqual(created.ETag, pair.ETag);
        Assert.Equal((2L, 2L), (pair.A.DesiredGeneration, pair.B.DesiredGeneration));
        Assert.Equal(("10.99.0.1/30", "10.99.0.2/30"), (pair.Spec.A.TunnelAddress, pair.Spec.B.TunnelAddress));
        var (endA, endB) = await StoredEndsAsync(pair);
        Assert.Equal(keyBefore.Striper!.Key, endA.Striper!.Key);
        Assert.Equal(endA.Striper.Key, endB.Striper!.Key);
        Assert.All(new[] { endA, endB }, end =>
        {
            Assert.Equal(StripeSchedulerKind.RoundRobin, end.Striper!.Scheduler);
            Assert.Equal([1.0, 2.0], end.Members.Select(m => m.Weight!.Value));
        });
        Assert.Equal([7000, 7001], endB.Members.Select(m => m.LocalPort!.Value));
        Assert.Equal(
            [(LinkChangeKind.SpecChanged, a, 2L), (LinkChangeKind.SpecChanged, b, 2L)],
            Drain(feed).Select(c => (c.Kind, c.HostId, c.Generation)));

        // The same spec again changes nothing; a change made against generation 1 is refused and changes nothing.
        using var again = await PutAsync(admin, created.Id, changed, pair.ETag);
        Assert.Equal(2, (await ReadAsync<LinkPairDto>(again)).Generation);
        var snapshot = await Database.SnapshotAsync();
        using var stale = await PutAsync(admin, created.Id, Pair(a, b), created.ETag);
        await ProblemAssert.IsProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        using var unguarded = await PutAsync(admin, created.Id, Pair(a, b), ifMatch: null);
        await ProblemAssert.IsProblemAsync(unguarded, HttpStatusCode.PreconditionRequired);
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task ChangeSpec_OtherHosts_Refused422()
    {
        using var admin = Client();
        var (a, b) = await TwoHostsAsync(admin);
        var created = await ReadAsync<LinkPairDto>(await PostAsync(admin, Pair(a, b)));
        var other = (await FleetRequests.EnrollHostAsync(admin, "edge-c")).HostId;

        using var response = await PutAsync(admin, created.Id, Pair(a, other), created.ETag);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Delete_OneCall_BothEndsDeletedWithAnEventEach()
    {
        using var feed = Api.Services.GetRequiredService<ILinkChangeFeed>().Subscribe();
        using var admin = Client();
        var (a, b) = await TwoHostsAsync(admin);
        var pair = await ReadAsync<LinkPairDto>(await PostAsync(admin, Pair(a, b)));
        Drain(feed);

        using var stale = new HttpRequestMessage(HttpMethod.Delete, $"api/v1/link-pairs/{pair.Id}");
        stale.Headers.TryAddWithoutValidation("If-Match", $"\"{pair.Id:N}.7\"");
        await ProblemAssert.IsProblemAsync(await admin.SendAsync(stale, Cancel), HttpStatusCode.PreconditionFailed);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"api/v1/link-pairs/{pair.Id}");
        delete.Headers.TryAddWithoutValidation("If-Match", pair.ETag);
        using var response = await admin.SendAsync(delete, Cancel);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync($"api/v1/link-pairs/{pair.Id}", Cancel), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync($"api/v1/links/{pair.A.Id}", Cancel), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync($"api/v1/links/{pair.B.Id}", Cancel), HttpStatusCode.NotFound);
        Assert.Equal([(LinkChangeKind.Deleted, a), (LinkChangeKind.Deleted, b)], Drain(feed).Select(c => (c.Kind, c.HostId)));
        await using var db = Database.CreateContext();
        var deleted = await db.Events.Where(e => e.Kind == AgentEventKind.LinkDeleted).Select(e => e.LinkId).ToListAsync(Cancel);
        Assert.Equal(new[] { pair.A.Id, pair.B.Id }.Order(), deleted.OfType<Guid>().Order());
        var list = await admin.GetFromJsonAsync<Page<LinkPairDto>>("api/v1/link-pairs", FleetJson.Options, Cancel);
        Assert.Empty(list!.Items);
    }

    [Fact]
    public async Task AnEnd_ChangedOrDeletedOnItsOwn_Refused409()
    {
        using var admin = Client();
        var (a, b) = await TwoHostsAsync(admin);
        var pair = await ReadAsync<LinkPairDto>(await PostAsync(admin, Pair(a, b)));
        var snapshot = await Database.SnapshotAsync();

        using var put = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{pair.A.Id}/spec") { Content = JsonContent.Create(Specs.Striper(), options: FleetJson.Options) };
        put.Headers.TryAddWithoutValidation("If-Match", pair.A.ETag);
        var conflict = await ProblemAssert.IsProblemAsync(await admin.SendAsync(put, Cancel), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await admin.DeleteAsync($"api/v1/links/{pair.B.Id}", Cancel), HttpStatusCode.Conflict);

        Assert.Contains($"/api/v1/link-pairs/{pair.Id}", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task Create_ListenerWithoutAKnownAddress_Refused422WithTheFieldAndNothingStored()
    {
        using var admin = Client();
        var (a, b) = await TwoHostsAsync(admin);
        var snapshot = await Database.SnapshotAsync();
        var spec = Pair(a, b) with
        {
            Paths =
            [
                new LinkPairPath { A = new LinkPairMember { Interface = "p1" }, B = new LinkPairMember { Interface = "p9" } },
                new LinkPairPath { A = new LinkPairMember { Interface = "p7" }, B = new LinkPairMember { Interface = "p2" }, Listener = LinkPairSide.A },
            ],
        };

        using var response = await PostAsync(admin, spec);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["spec.paths[0].b.address", "spec.paths[1].a.address"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Contains("cannot connect", errors.GetProperty("spec.paths[0].b.address")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(snapshot, await Database.SnapshotAsync());

        // With the listening end's address given, the same paths connect.
        var given = spec with { Paths = [spec.Paths[0] with { B = new LinkPairMember { Interface = "p9", Address = "192.0.2.9" } }] };
        using var accepted = await PostAsync(admin, given);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public async Task Create_InvalidFields_ValidationProblemWithEveryFieldAndNothingStored()
    {
        using var admin = Client();
        var (a, _) = await TwoHostsAsync(admin);
        var snapshot = await Database.SnapshotAsync();
        var spec = Pair(a, a) with
        {
            Name = "way-too-long-interface-name",
            A = new LinkPairEnd { HostId = a, TunnelAddress = "10.1.0.1/30" },
            Paths = [new LinkPairPath { A = new LinkPairMember { Interface = "bad name" }, B = new LinkPairMember { Interface = "p1", Address = "nonsense" }, Weight = -1 }],
        };

        using var response = await PostAsync(admin, spec);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Superset(
            new HashSet<string> { "spec.name", "spec.b.hostId", "spec.b.tunnelAddress", "spec.paths[0].a.interface", "spec.paths[0].b.address", "spec.paths[0].weight" },
            fields.ToHashSet());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task Create_UnknownHost_404()
    {
        using var admin = Client();
        var (a, _) = await TwoHostsAsync(admin);

        using var response = await PostAsync(admin, Pair(a, Guid.CreateVersion7()));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Roles_ViewerReadsWithoutTheKeyAndCannotChange_OperatorChanges()
    {
        using var admin = Client();
        var (a, b) = await TwoHostsAsync(admin);
        using var viewer = Client((await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "viewer")).Secret);
        using var operatorClient = Client((await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Operator, "operator")).Secret);

        await ProblemAssert.IsProblemAsync(await PostAsync(viewer, Pair(a, b)), HttpStatusCode.Forbidden);
        using var created = await PostAsync(operatorClient, Pair(a, b));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var pair = await ReadAsync<LinkPairDto>(created);

        var read = await viewer.GetFromJsonAsync<LinkPairDto>($"api/v1/link-pairs/{pair.Id}", FleetJson.Options, Cancel);
        Assert.Equal(pair.ETag, read!.ETag);
        Assert.Equal(LinkMapping.RedactedKey, read.A.Spec.Striper!.Key);
        var viewerEnd = await viewer.GetFromJsonAsync<LinkDto>($"api/v1/links/{pair.A.Id}", FleetJson.Options, Cancel);
        Assert.Equal(LinkMapping.RedactedKey, viewerEnd!.Spec.Striper!.Key);
        await ProblemAssert.IsProblemAsync(await PutAsync(viewer, pair.Id, Pair(a, b), pair.ETag), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await viewer.DeleteAsync($"api/v1/link-pairs/{pair.Id}", Cancel), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await operatorClient.DeleteAsync($"api/v1/link-pairs/{pair.Id}", Cancel)).StatusCode);
    }

    /// <summary>
    /// Issue 20, item 3: two per-host ends of one striper link (the same key on two hosts) that both only dial never
    /// meet, so the second is refused with 422 and an error on each path, and a change that takes away the listener
    /// the far end dials is refused too.
    /// </summary>
    [Fact]
    public async Task PerHostStriper_BothEndsOnlyDial_Refused422WithTheFieldsAndNothingStored()
    {
        using var admin = Client();
        var (a, b) = await TwoHostsAsync(admin);
        var dialsOnly = Specs.Striper() with
        {
            Members = [new MemberSpec { Interface = "p1", Peer = "10.101.2.2:7000" }, new MemberSpec { Interface = "p2", Peer = "10.102.2.2:7000" }],
        };
        using var first = await PostLinkAsync(admin, a, dialsOnly);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var snapshot = await Database.SnapshotAsync();

        var alsoDials = dialsOnly with
        {
            Addresses = ["10.9.0.2/30"],
            Members = [new MemberSpec { Interface = "p1", Peer = "10.101.1.2:7000" }, new MemberSpec { Interface = "p2", Address = "10.102.2.2", LocalPort = 7000 }],
        };
        using var refused = await PostLinkAsync(admin, b, alsoDials);

        var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.UnprocessableEntity);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["spec.members", "spec.members[0].peer"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Contains("cannot connect", errors.GetProperty("spec.members[0].peer")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("10.101.2.2:7000", errors.GetProperty("spec.members")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(snapshot, await Database.SnapshotAsync());

        // The far end listening where the first dials: accepted. Taking its listener away again: refused.
        var listens = alsoDials with
        {
            Members = [new MemberSpec { Interface = "p1", Address = "10.101.2.2", LocalPort = 7000 }, alsoDials.Members[1]],
        };
        using var accepted = await PostLinkAsync(admin, b, listens);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var link = await ReadAsync<LinkDto>(accepted);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{link.Id}/spec") { Content = JsonContent.Create(alsoDials, options: FleetJson.Options) };
        put.Headers.TryAddWithoutValidation("If-Match", link.ETag);
        await ProblemAssert.IsProblemAsync(await admin.SendAsync(put, Cancel), HttpStatusCode.UnprocessableEntity);
    }

    /// <summary>Two enrolled hosts whose agents reported paths p1 and p2 with addresses, as the lab's hosts have them.</summary>
    private async Task<(Guid A, Guid B)> TwoHostsAsync(HttpClient admin)
    {
        var a = (await FleetRequests.EnrollHostAsync(admin, "edge-a")).HostId;
        var b = (await FleetRequests.EnrollHostAsync(admin, "edge-b")).HostId;
        await using var db = Database.CreateContext();
        foreach (var (id, h) in new[] { (a, 1), (b, 2) })
        {
            var host = await db.Hosts.SingleAsync(x => x.Id == id, Cancel);
            host.Interfaces =
            [
                new InterfaceInventory("p1", "veth", null, 1500, true, [$"10.101.{h}.2/24"]),
                new InterfaceInventory("p2", "veth", null, 1500, true, [$"10.102.{h}.2/24", "fe80::1/64"]),
            ];
        }

        await db.SaveChangesAsync(Cancel);
        return (a, b);
    }

    private static LinkPairSpec Pair(Guid a, Guid b, string name = "str0") => new()
    {
        Name = name,
        A = new LinkPairEnd { HostId = a },
        B = new LinkPairEnd { HostId = b },
        Paths =
        [
            new LinkPairPath { A = new LinkPairMember { Interface = "p1" }, B = new LinkPairMember { Interface = "p1" } },
            new LinkPairPath { A = new LinkPairMember { Interface = "p2" }, B = new LinkPairMember { Interface = "p2" } },
        ],
    };

    private async Task<(LinkSpec A, LinkSpec B)> StoredEndsAsync(LinkPairDto pair)
    {
        await using var db = Database.CreateContext();
        var keys = Api.Services.GetRequiredService<StriperKeyProtection>();
        var a = await db.Links.AsNoTracking().SingleAsync(l => l.Id == pair.A.Id, Cancel);
        var b = await db.Links.AsNoTracking().SingleAsync(l => l.Id == pair.B.Id, Cancel);
        return (keys.FromStorage(a.Spec), keys.FromStorage(b.Spec));
    }

    private static Task<HttpResponseMessage> PostLinkAsync(HttpClient client, Guid hostId, LinkSpec spec) =>
        client.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = hostId, Spec = spec }, FleetJson.Options, Cancel);

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, LinkPairSpec spec) =>
        client.PostAsJsonAsync("api/v1/link-pairs", new CreateLinkPairRequest { Spec = spec, Reason = "test" }, FleetJson.Options, Cancel);

    private static async Task<HttpResponseMessage> PutAsync(HttpClient client, Guid id, LinkPairSpec spec, string? ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/link-pairs/{id}/spec") { Content = JsonContent.Create(spec, options: FleetJson.Options) };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        return await client.SendAsync(request, Cancel);
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

public sealed class SqliteLinkPairTests(PostgresFixture postgres) : LinkPairTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresLinkPairTests(PostgresFixture postgres) : LinkPairTests(DatabaseProvider.Postgres, postgres);
