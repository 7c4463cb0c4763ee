using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fleet.Api.Dashboard;
using Fleet.Api.Data;
using Fleet.Api.Security;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Fleet.Web.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Links;

/// <summary>
/// Changing a link's spec through both doors, REST (<c>PUT /api/v1/links/{id}/spec</c>) and the policy editor
/// (<c>IPolicyCommands</c>): for each rule, the same input gets the same result and writes the same revision and
/// audit row (issue 15). Each door changes its own link of the same host (bond0 through REST, bond1 through the
/// dashboard), both at generation 1. The clock stands still, so the overview's cached rows never expire by age.
/// </summary>
public abstract class LinkDoorsTests(DatabaseProvider provider, PostgresFixture postgres) : ApiTestBase(provider, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override bool UseManualClock => true;

    [Fact]
    public async Task ChangeSpec_BothDoors_SameResultRevisionAndAuditRow()
    {
        var (admin, viaRest, viaDashboard) = await ArrangeAsync();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());

        using var rest = await PutSpecAsync(admin, viaRest, Specs.Bond("bond0", miimonMs: 50));
        var restRow = await AuditRows.NewestAsync(Database);
        var editor = await dashboard.Policy.ChangeAsync(viaDashboard.Id, Specs.Bond("bond1", miimonMs: 50), 1, reason: null, Cancel);
        var dashboardRow = await AuditRows.NewestAsync(Database);

        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(editor).ToString());
        Assert.Equal(new PolicyChangeResult.Accepted(2), editor);
        Assert.Equal(AuditRows.Normalize(restRow, Placeholders(viaRest, "bond0")), AuditRows.Normalize(dashboardRow, Placeholders(viaDashboard, "bond1")));
        await using var db = Database.CreateContext();
        var revisions = await db.PolicyRevisions.AsNoTracking().Where(r => r.Generation == 2).OrderBy(r => r.Id).ToListAsync(Cancel);
        Assert.Equal(2, revisions.Count);
        Assert.Equal(
            (revisions[0].Author, revisions[0].Reason, revisions[0].Outcome, revisions[0].RevertedFromGeneration),
            (revisions[1].Author, revisions[1].Reason, revisions[1].Outcome, revisions[1].RevertedFromGeneration));
    }

    /// <summary>Issue 19, the policy editor's change note: stored as the revision's reason, the same as REST's <c>?reason=</c>.</summary>
    [Fact]
    public async Task ChangeSpec_WithANote_BothDoorsStoreTheReasonAndTheEditorReadsItBack()
    {
        var (admin, viaRest, viaDashboard) = await ArrangeAsync();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        const string Note = "eth2's carrier is flapping\nticket NOC-1234";

        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{viaRest.Id}/spec?reason={Uri.EscapeDataString(Note)}")
        {
            Content = JsonContent.Create(Specs.Bond("bond0", miimonMs: 50), options: FleetJson.Options),
        };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(LinkEtag(viaRest.Id, 1)));
        using var rest = await admin.SendAsync(request, Cancel);
        var editor = await dashboard.Policy.ChangeAsync(viaDashboard.Id, Specs.Bond("bond1", miimonMs: 50), 1, Note, Cancel);

        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(new PolicyChangeResult.Accepted(2), editor);
        foreach (var link in new[] { viaRest.Id, viaDashboard.Id })
        {
            var document = await dashboard.PolicyQuery.GetPolicyAsync(link, Cancel);
            var newest = document!.Revisions[0];
            Assert.Equal((2L, Note, PolicyOutcome.Pending), (newest.Generation, newest.Reason, newest.Outcome));
            Assert.Null(document.Revisions[1].Reason);
        }

        // A note the revision refuses comes back as the field error of "reason", and nothing is stored.
        var tooLong = await dashboard.Policy.ChangeAsync(viaDashboard.Id, Specs.Bond("bond1", miimonMs: 70), 2, new string('x', 501), Cancel);
        var invalid = Assert.IsType<PolicyChangeResult.Invalid>(tooLong);
        Assert.Equal("reason", Assert.Single(invalid.Errors).Path);
        Assert.Equal(2, (await dashboard.PolicyQuery.GetPolicyAsync(viaDashboard.Id, Cancel))!.Generation);
    }

    [Fact]
    public async Task ChangeSpec_InvalidSpec_BothDoorsGiveTheSameFieldErrors()
    {
        var (admin, viaRest, viaDashboard) = await ArrangeAsync();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();
        static LinkSpec Broken(string name) => Specs.Bond(name) with { Members = [new MemberSpec { Interface = "eth1", Weight = -1 }, new MemberSpec { Interface = "eth1" }], Mtu = 10 };

        using var rest = await PutSpecAsync(admin, viaRest, Broken("bond0"));
        var editor = await dashboard.Policy.ChangeAsync(viaDashboard.Id, Broken("bond1"), 1, reason: null, Cancel);

        var expected = await DoorOutcome.OfAsync(rest);
        Assert.NotEmpty(expected.Fields);
        Assert.Equal(expected.ToString(), DoorOutcome.Of(editor).ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task ChangeSpec_StaleGeneration_BothDoorsRefuseAndStoreNothing()
    {
        var (admin, viaRest, viaDashboard) = await ArrangeAsync();
        using (var first = await PutSpecAsync(admin, viaRest, Specs.Bond("bond0", miimonMs: 50)))
        using (var second = await PutSpecAsync(admin, viaDashboard, Specs.Bond("bond1", miimonMs: 50)))
        {
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        }

        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();

        using var rest = await PutSpecAsync(admin, viaRest, Specs.Bond("bond0", miimonMs: 200));
        var editor = await dashboard.Policy.ChangeAsync(viaDashboard.Id, Specs.Bond("bond1", miimonMs: 200), 1, reason: null, Cancel);

        await ProblemAssert.IsProblemAsync(rest, HttpStatusCode.PreconditionFailed);
        Assert.Equal(new PolicyChangeResult.Conflict(2), editor);
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task ChangeSpec_SameSpec_BothDoorsStoreNothing()
    {
        var (admin, viaRest, viaDashboard) = await ArrangeAsync();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();

        using var rest = await PutSpecAsync(admin, viaRest, Specs.Bond("bond0"));
        var editor = await dashboard.Policy.ChangeAsync(viaDashboard.Id, Specs.Bond("bond1"), 1, reason: null, Cancel);

        Assert.Equal(1, (await ReadAsync<LinkDto>(rest)).DesiredGeneration);
        Assert.Equal(new PolicyChangeResult.Accepted(1), editor);
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task ChangeSpec_KindChanged_BothDoorsRefuseWithTheSameMessage()
    {
        var (admin, viaRest, viaDashboard) = await ArrangeAsync();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();

        using var rest = await PutSpecAsync(admin, viaRest, Specs.Striper("bond0"));
        var editor = await dashboard.Policy.ChangeAsync(viaDashboard.Id, Specs.Striper("bond1"), 1, reason: null, Cancel);

        await ProblemAssert.IsProblemAsync(rest, HttpStatusCode.UnprocessableEntity);
        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(editor, "kind").ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task ChangeSpec_HostCannotRunTheKind_BothDoorsRefuseWithTheSameMessage()
    {
        var (admin, viaRest, viaDashboard) = await ArrangeAsync();
        await using (var db = Database.CreateContext())
        {
            var host = await db.Hosts.SingleAsync(h => h.Id == viaRest.HostId, Cancel);
            host.Capabilities = AgentCapabilities.Of(LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper);
            await db.SaveChangesAsync(Cancel);
        }

        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();

        using var rest = await PutSpecAsync(admin, viaRest, Specs.Bond("bond0", miimonMs: 50));
        var editor = await dashboard.Policy.ChangeAsync(viaDashboard.Id, Specs.Bond("bond1", miimonMs: 50), 1, reason: null, Cancel);

        await ProblemAssert.IsProblemAsync(rest, HttpStatusCode.UnprocessableEntity);
        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(editor, "kind").ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task ChangeSpec_DecommissionedHost_BothDoorsRefuseWithTheSameConflict()
    {
        var (admin, viaRest, viaDashboard) = await ArrangeAsync();
        using (var decommission = await admin.PostAsync(new Uri($"api/v1/hosts/{viaRest.HostId}/decommission", UriKind.Relative), null, Cancel))
        {
            Assert.True(decommission.IsSuccessStatusCode);
        }

        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var snapshot = await Database.SnapshotAsync();

        using var rest = await PutSpecAsync(admin, viaRest, Specs.Bond("bond0", miimonMs: 50));
        var editor = await dashboard.Policy.ChangeAsync(viaDashboard.Id, Specs.Bond("bond1", miimonMs: 50), 1, reason: null, Cancel);

        await ProblemAssert.IsProblemAsync(rest, HttpStatusCode.Conflict);
        Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(editor).ToString());
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task ChangeSpec_Rename_BothDoorsRenameAndRefuseATakenName()
    {
        var (admin, viaRest, viaDashboard) = await ArrangeAsync();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());

        using (var rest = await PutSpecAsync(admin, viaRest, Specs.Bond("bond8")))
        {
            Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString(), DoorOutcome.Of(await dashboard.Policy.ChangeAsync(viaDashboard.Id, Specs.Bond("bond9"), 1, reason: null, Cancel)).ToString());
        }

        // Each now asks for the name the other link has.
        using (var rest = await PutSpecAsync(admin, viaRest, Specs.Bond("bond9"), etag: LinkEtag(viaRest.Id, 2)))
        {
            await ProblemAssert.IsProblemAsync(rest, HttpStatusCode.Conflict);
            var editor = await dashboard.Policy.ChangeAsync(viaDashboard.Id, Specs.Bond("bond8"), 2, reason: null, Cancel);
            Assert.Equal((await DoorOutcome.OfAsync(rest)).ToString().Replace("bond9", "<name>", StringComparison.Ordinal), DoorOutcome.Of(editor, "name").ToString().Replace("bond8", "<name>", StringComparison.Ordinal));
        }

        await using var db = Database.CreateContext();
        Assert.Equal(["bond8", "bond9"], await db.Links.Where(l => l.DeletedAt == null).OrderBy(l => l.Name).Select(l => l.Name).ToListAsync(Cancel));
    }

    [Fact]
    public async Task ChangeSpec_UnknownLink_BothDoorsSayNotFound()
    {
        var (admin, viaRest, _) = await ArrangeAsync();
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        var unknown = viaRest with { Id = Guid.CreateVersion7() };

        using var rest = await PutSpecAsync(admin, unknown, Specs.Bond("bond0"));
        var editor = await dashboard.Policy.ChangeAsync(unknown.Id, Specs.Bond("bond0"), 1, reason: null, Cancel);

        await ProblemAssert.IsProblemAsync(rest, HttpStatusCode.NotFound);
        Assert.Equal(new PolicyChangeResult.NotFound(), editor);
    }

    [Fact]
    public async Task ChangeSpec_Viewer_BothDoorsRefuse()
    {
        var (admin, viaRest, viaDashboard) = await ArrangeAsync();
        var viewerKey = (await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "watcher")).Secret;
        using var viewer = Client(viewerKey);
        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey(FleetRoles.Viewer, "watcher"));
        var snapshot = await Database.SnapshotAsync();

        using var rest = await PutSpecAsync(viewer, viaRest, Specs.Bond("bond0", miimonMs: 50));
        var editor = await dashboard.Policy.ChangeAsync(viaDashboard.Id, Specs.Bond("bond1", miimonMs: 50), 1, reason: null, Cancel);

        await ProblemAssert.IsProblemAsync(rest, HttpStatusCode.Forbidden);
        Assert.Equal(new PolicyChangeResult.Forbidden(), editor);
        Assert.Equal(snapshot, await Database.SnapshotAsync());
    }

    [Fact]
    public async Task ChangeSpec_BothDoors_TheOverviewShowsTheChangeAtOnce()
    {
        var (admin, viaRest, viaDashboard) = await ArrangeAsync();
        var overview = Api.Services.GetRequiredService<FleetSnapshotCache>();
        Assert.Equal(["eth1", "eth2"], MembersOf((await overview.GetAsync(Cancel)).Hosts, viaRest.Id));
        static LinkSpec ThreeMembers(string name) => Specs.Bond(name) with { Members = [.. Specs.Bond(name).Members, new MemberSpec { Interface = "eth3", AdminState = MemberAdminState.Backup }] };

        using (var rest = await PutSpecAsync(admin, viaRest, ThreeMembers("bond0")))
        {
            Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        }

        Assert.Equal(["eth1", "eth2", "eth3"], MembersOf((await overview.GetAsync(Cancel)).Hosts, viaRest.Id));

        await using var dashboard = DashboardDoor.As(Api, DashboardDoor.AsApiKey());
        Assert.Equal(new PolicyChangeResult.Accepted(2), await dashboard.Policy.ChangeAsync(viaDashboard.Id, ThreeMembers("bond1"), 1, reason: null, Cancel));
        Assert.Equal(["eth1", "eth2", "eth3"], MembersOf((await overview.GetAsync(Cancel)).Hosts, viaDashboard.Id));
    }

    [Fact]
    public async Task Delete_RecordsAnEventOfTheHostBesidesTheAuditRow()
    {
        var (admin, viaRest, _) = await ArrangeAsync();

        using (var deleted = await admin.DeleteAsync(new Uri($"api/v1/links/{viaRest.Id}", UriKind.Relative), Cancel))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var events = await admin.GetFromJsonAsync<Page<EventDto>>($"api/v1/events?linkId={viaRest.Id}", FleetJson.Options, Cancel);
        var deletion = Assert.Single(events!.Items);
        Assert.Equal((AgentEventKind.LinkDeleted, EventSeverity.Info, viaRest.HostId), (deletion.Kind, deletion.Severity, deletion.HostId));
        Assert.Contains("'bond0' deleted by api_key:bootstrap-admin", deletion.Message, StringComparison.Ordinal);
        var audit = await AuditRows.NewestAsync(Database);
        Assert.Equal(("link.delete", viaRest.Id.ToString()), (audit.Action, audit.TargetId));
    }

    private static IReadOnlyList<string> MembersOf(IReadOnlyList<FleetSnapshot.HostRow> rows, Guid linkId) =>
        [.. rows.SelectMany(h => h.Links).Single(l => l.Summary.Id == linkId).Members.Select(m => m.Interface)];

    private static Dictionary<string, string> Placeholders(LinkDto link, string name) => new() { [link.Id.ToString()] = "<id>", [name] = "<name>" };

    private static string LinkEtag(Guid id, long generation) => $"\"{id:N}.{generation}\"";

    private async Task<(HttpClient Admin, LinkDto ViaRest, LinkDto ViaDashboard)> ArrangeAsync()
    {
        var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "edge-doors");
        var links = new List<LinkDto>();
        foreach (var name in new[] { "bond0", "bond1" })
        {
            using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond(name) }, FleetJson.Options, Cancel);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            links.Add(await ReadAsync<LinkDto>(created));
        }

        return (admin, links[0], links[1]);
    }

    private static async Task<HttpResponseMessage> PutSpecAsync(HttpClient client, LinkDto link, LinkSpec spec, string? etag = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{link.Id}/spec") { Content = JsonContent.Create(spec, options: FleetJson.Options) };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag ?? LinkEtag(link.Id, 1)));
        return await client.SendAsync(request, Cancel);
    }
}

public sealed class SqliteLinkDoorsTests(PostgresFixture postgres) : LinkDoorsTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresLinkDoorsTests(PostgresFixture postgres) : LinkDoorsTests(DatabaseProvider.Postgres, postgres);
