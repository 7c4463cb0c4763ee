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

/// <summary>The REST flow automation uses: enroll, create a link, change it with If-Match, revert, delete.</summary>
public abstract class LinkFlowTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RestFlow_WithBootstrapKey_CreateChangeStaleEtagHistoryRevert()
    {
        using var feed = Api.Services.GetRequiredService<ILinkChangeFeed>().Subscribe();
        using var admin = Client();

        // An enrollment token and a host enrolled with it.
        var enrolled = await FleetRequests.EnrollHostAsync(admin, "edge-1");

        // Create a link: generation 1, phase Pending, ETag for generation 1.
        var created = await PostAsync(admin, new CreateLinkRequest { HostId = enrolled.HostId, Spec = Specs.Bond(), Reason = "initial" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var link = await ReadAsync<LinkDto>(created);
        var etag1 = created.Headers.ETag!.ToString();
        Assert.Equal((1L, LinkPhase.Pending, link.ETag), (link.DesiredGeneration, link.Phase, etag1));
        Assert.Equal(["eth1", "eth2"], link.Members.Select(m => m.Interface));

        // Change it: generation 2.
        var changedSpec = Specs.Bond(mode: BondMode.BalanceRoundRobin, miimonMs: 50);
        using var change = await PutSpecAsync(admin, link.Id, changedSpec, etag1, "faster failover");
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        var changed = await ReadAsync<LinkDto>(change);
        Assert.Equal(2, changed.DesiredGeneration);
        Assert.Equal(LinkPhase.Pending, changed.Phase);
        Assert.True(LinkSpecEquality.AreEquivalent(changedSpec, changed.Spec));
        var etag2 = change.Headers.ETag!.ToString();
        Assert.NotEqual(etag1, etag2);

        // A change based on generation 1 is refused, and changes nothing.
        var snapshot = await Database.SnapshotAsync();
        using var stale = await PutSpecAsync(admin, link.Id, Specs.Bond(miimonMs: 200), etag1, "stale");
        await ProblemAssert.IsProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        Assert.Equal(snapshot, await Database.SnapshotAsync());

        // History shows both, newest first, the older one superseded.
        var history = await admin.GetFromJsonAsync<Page<PolicyRevisionDto>>($"api/v1/links/{link.Id}/revisions", FleetJson.Options, Cancel);
        Assert.Equal([2L, 1L], history!.Items.Select(r => r.Generation));
        Assert.Equal(["faster failover", "initial"], history.Items.Select(r => r.Reason));
        Assert.Equal([PolicyOutcome.Pending, PolicyOutcome.Superseded], history.Items.Select(r => r.Outcome));
        Assert.All(history.Items, r => Assert.Equal("api_key:bootstrap-admin", r.Author));
        Assert.True(LinkSpecEquality.AreEquivalent(Specs.Bond(), history.Items[1].Spec));

        // Revert to generation 1: generation 3 with generation 1's spec.
        using var revert = await admin.PostAsync(new Uri($"api/v1/links/{link.Id}/revisions/1/revert", UriKind.Relative), null, Cancel);
        Assert.Equal(HttpStatusCode.OK, revert.StatusCode);
        var reverted = await ReadAsync<LinkDto>(revert);
        Assert.Equal(3, reverted.DesiredGeneration);
        Assert.True(LinkSpecEquality.AreEquivalent(Specs.Bond(), reverted.Spec));
        var revision3 = await admin.GetFromJsonAsync<PolicyRevisionDto>($"api/v1/links/{link.Id}/revisions/3", FleetJson.Options, Cancel);
        Assert.Equal(1, revision3!.RevertedFromGeneration);

        // The agent hub heard of every generation, in order.
        Assert.Equal(
            [new LinkChange(LinkChangeKind.Created, enrolled.HostId, link.Id, 1), new LinkChange(LinkChangeKind.SpecChanged, enrolled.HostId, link.Id, 2), new LinkChange(LinkChangeKind.Reverted, enrolled.HostId, link.Id, 3)],
            Drain(feed));

        // And the audit log has who did what.
        await using var db = Database.CreateContext();
        var actions = await db.AuditLog.Where(a => a.TargetId == link.Id.ToString()).OrderBy(a => a.Time).Select(a => a.Action).ToListAsync(Cancel);
        Assert.Equal(["link.create", "link.spec.update", "link.revert"], actions);
    }

    /// <summary>Issue 10: <c>adopt</c> is part of the spec the operator sets; it is stored and returned as given.</summary>
    [Fact]
    public async Task CreateLink_AdoptingSpec_StoredAndReturned()
    {
        using var admin = Client();
        var enrolled = await FleetRequests.EnrollHostAsync(admin, "edge-adopt");

        var created = await PostAsync(admin, new CreateLinkRequest { HostId = enrolled.HostId, Spec = Specs.Bond() with { Adopt = true }, Reason = "take over the bond0 the installer made" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var link = await ReadAsync<LinkDto>(created);
        Assert.True(link.Spec.Adopt);
        var read = await admin.GetFromJsonAsync<LinkDto>($"api/v1/links/{link.Id}", FleetJson.Options, Cancel);
        Assert.True(read!.Spec.Adopt);
    }

    [Fact]
    public async Task PutSpec_WithoutIfMatch_Returns428AndChangesNothing()
    {
        using var admin = Client();
        var link = await CreateLinkAsync(admin, Specs.Bond());
        var snapshot = await Database.SnapshotAsync();

        using var response = await PutSpecAsync(admin, link.Id, Specs.Bond(miimonMs: 300), ifMatch: null, reason: null);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.PreconditionRequired);
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task PutSpec_ConcurrentWithSameEtag_OnlyOneWins()
    {
        using var admin = Client();
        var link = await CreateLinkAsync(admin, Specs.Bond());

        var attempts = Enumerable.Range(0, 6).Select(async i =>
        {
            using var client = Client();
            using var response = await PutSpecAsync(client, link.Id, Specs.Bond(miimonMs: 100 + ((i + 1) * 10)), link.ETag, $"attempt {i}");
            return response.StatusCode;
        });
        var results = await Task.WhenAll(attempts);

        Assert.Equal(1, results.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(5, results.Count(s => s == HttpStatusCode.PreconditionFailed));
        await using var db = Database.CreateContext();
        Assert.Equal(2, await db.PolicyRevisions.CountAsync(r => r.LinkId == link.Id, Cancel));
        Assert.Equal(2, (await db.Links.SingleAsync(l => l.Id == link.Id, Cancel)).DesiredGeneration);
    }

    [Fact]
    public async Task CreateLink_HostReportsNoBonding_Returns422WithReason()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin);
        await using (var db = Database.CreateContext())
        {
            // What the agent hub stores from the agent's hello.
            var entity = await db.Hosts.SingleAsync(h => h.Id == host.HostId, Cancel);
            entity.Capabilities = AgentCapabilities.Of(LinkKind.Mptcp, LinkKind.Striper) with { Notes = new Dictionary<string, string> { ["bonding"] = "module bonding not found" } };
            await db.SaveChangesAsync(Cancel);
        }

        var snapshot = await Database.SnapshotAsync();
        using var response = await PostAsync(admin, new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond() });

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("bonding=false (module bonding not found)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(snapshot, await Database.SnapshotAsync());

        using var striper = await PostAsync(admin, new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Striper() });
        Assert.Equal(HttpStatusCode.Created, striper.StatusCode);
    }

    [Fact]
    public async Task CreateLink_NameTakenOnHost_Returns409_UntilDeleted()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin);
        var first = await CreateLinkAsync(admin, Specs.Bond(), host.HostId);

        using var duplicate = await PostAsync(admin, new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond() });
        await ProblemAssert.IsProblemAsync(duplicate, HttpStatusCode.Conflict);

        using var delete = await admin.DeleteAsync(new Uri($"api/v1/links/{first.Id}", UriKind.Relative), Cancel);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await admin.GetAsync(new Uri($"api/v1/links/{first.Id}", UriKind.Relative), Cancel);
        await ProblemAssert.IsProblemAsync(gone, HttpStatusCode.NotFound);
        using var again = await PostAsync(admin, new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond() });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task CreateLink_UnknownHost_Returns404()
    {
        using var admin = Client();
        using var response = await PostAsync(admin, new CreateLinkRequest { HostId = Guid.CreateVersion7(), Spec = Specs.Bond() });
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task StriperKey_RedactedForViewersAndInAudit_VisibleToOperators()
    {
        using var admin = Client();
        var link = await CreateLinkAsync(admin, Specs.Striper());
        var viewerKey = await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer);
        var operatorKey = await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Operator);
        using var viewer = Client(viewerKey.Secret);
        using var operatorClient = Client(operatorKey.Secret);

        var seenByViewer = await viewer.GetFromJsonAsync<LinkDto>($"api/v1/links/{link.Id}", FleetJson.Options, Cancel);
        var viewerHistory = await viewer.GetStringAsync(new Uri($"api/v1/links/{link.Id}/revisions", UriKind.Relative), Cancel);
        var seenByOperator = await operatorClient.GetFromJsonAsync<LinkSpec>($"api/v1/links/{link.Id}/spec", FleetJson.Options, Cancel);

        Assert.Equal(LinkMapping.RedactedKey, seenByViewer!.Spec.Striper!.Key);
        Assert.DoesNotContain(Specs.StriperKey, viewerHistory, StringComparison.Ordinal);
        Assert.Equal(Specs.StriperKey, seenByOperator!.Striper!.Key);
        var audit = await admin.GetStringAsync(new Uri("api/v1/audit?targetType=link", UriKind.Relative), Cancel);
        Assert.Contains("link.create", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(Specs.StriperKey, audit, StringComparison.Ordinal);
        await using var db = Database.CreateContext();
        Assert.DoesNotContain(await db.AuditLog.Select(a => a.After ?? "").ToListAsync(Cancel), a => a.Contains(Specs.StriperKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeleteLink_StaleIfMatch_Returns412_ThenDeletesAndPublishes()
    {
        using var feed = Api.Services.GetRequiredService<ILinkChangeFeed>().Subscribe();
        using var admin = Client();
        var link = await CreateLinkAsync(admin, Specs.Bond());
        using (var change = await PutSpecAsync(admin, link.Id, Specs.Bond(miimonMs: 250), link.ETag, null))
        {
            Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        }

        using var staleDelete = new HttpRequestMessage(HttpMethod.Delete, $"api/v1/links/{link.Id}");
        staleDelete.Headers.TryAddWithoutValidation("If-Match", link.ETag);
        using (var response = await admin.SendAsync(staleDelete, Cancel))
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.PreconditionFailed);
        }

        using var delete = await admin.DeleteAsync(new Uri($"api/v1/links/{link.Id}", UriKind.Relative), Cancel);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        var list = await admin.GetFromJsonAsync<Page<LinkDto>>("api/v1/links", FleetJson.Options, Cancel);
        Assert.DoesNotContain(list!.Items, l => l.Id == link.Id);
        Assert.Equal(LinkChangeKind.Deleted, Drain(feed).Last().Kind);
    }

    [Fact]
    public async Task PutSpec_ChangesMembers_KeepsObservedHealthOfStayingMembers()
    {
        using var admin = Client();
        var link = await CreateLinkAsync(admin, Specs.Bond());
        await using (var db = Database.CreateContext())
        {
            await db.Members.Where(m => m.LinkId == link.Id && m.Interface == "eth1").ExecuteUpdateAsync(s => s.SetProperty(m => m.Health, MemberHealth.Up), Cancel);
        }

        var spec = Specs.Bond() with { Members = [new MemberSpec { Interface = "eth3" }, new MemberSpec { Interface = "eth1", AdminState = MemberAdminState.Backup }] };
        spec = spec with { Bond = spec.Bond! with { Primary = "eth3" } };
        using var response = await PutSpecAsync(admin, link.Id, spec, link.ETag, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var members = await admin.GetFromJsonAsync<List<MemberDto>>($"api/v1/links/{link.Id}/members", FleetJson.Options, Cancel);
        Assert.Equal([("eth3", 0, MemberAdminState.Active, MemberHealth.Unknown), ("eth1", 1, MemberAdminState.Backup, MemberHealth.Up)],
            members!.Select(m => (m.Interface, m.Position, m.AdminState, m.Health)));
        using var removed = await admin.GetAsync(new Uri($"api/v1/links/{link.Id}/members/eth2", UriKind.Relative), Cancel);
        await ProblemAssert.IsProblemAsync(removed, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutSpec_KindChange_Returns422()
    {
        using var admin = Client();
        var link = await CreateLinkAsync(admin, Specs.Bond());
        using var response = await PutSpecAsync(admin, link.Id, Specs.Striper(name: "bond0"), link.ETag, null);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity);
    }

    protected async Task<LinkDto> CreateLinkAsync(HttpClient admin, LinkSpec spec, Guid? hostId = null)
    {
        hostId ??= (await FleetRequests.EnrollHostAsync(admin)).HostId;
        using var response = await PostAsync(admin, new CreateLinkRequest { HostId = hostId.Value, Spec = spec });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await ReadAsync<LinkDto>(response);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, CreateLinkRequest request) =>
        client.PostAsJsonAsync("api/v1/links", request, FleetJson.Options, Cancel);

    private static async Task<HttpResponseMessage> PutSpecAsync(HttpClient client, Guid linkId, LinkSpec spec, string? ifMatch, string? reason)
    {
        var uri = $"api/v1/links/{linkId}/spec" + (reason is null ? "" : $"?reason={Uri.EscapeDataString(reason)}");
        using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = JsonContent.Create(spec, options: FleetJson.Options) };
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

public sealed class SqliteLinkFlowTests(PostgresFixture postgres) : LinkFlowTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresLinkFlowTests(PostgresFixture postgres) : LinkFlowTests(DatabaseProvider.Postgres, postgres);
