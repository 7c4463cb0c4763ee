using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Api.Tests.Security;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Fleet.Web.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Dashboard;

/// <summary>
/// Issue 19, "desired vs running": after a change failed, the link page showed the desired generation's members (an
/// <c>eth9</c> that does not exist, "Unknown") and hid <c>eth2</c>, which the host still runs. The page shows what runs,
/// and the failed change in a banner with its reason and a revert of the desired state to the running generation.
/// </summary>
public sealed partial class FailedChangeTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LinkPage_ChangeFailed_ShowsTheRunningGenerationAndTheFailedChangeWithARevert()
    {
        var linkId = await FailedChangeAsync();

        await using (var scope = Api.Services.CreateAsyncScope())
        {
            var details = await scope.ServiceProvider.GetRequiredService<ILinkDetailsQuery>().GetLinkAsync(linkId, Cancel);
            Assert.NotNull(details);
            Assert.Equal(["eth1", "eth2"], details.Members.Select(m => m.Interface));
            Assert.Equal(["eth1", "eth2"], details.Spec.Members.Select(m => m.Interface));
            var failed = Assert.IsType<FailedChange>(details.FailedChange);
            Assert.Equal((2, 1, LinkPhase.Failed), (failed.Generation, failed.RunningGeneration, failed.Phase));
            Assert.Equal(["eth1", "eth9"], failed.Spec.Members.Select(m => m.Interface));
        }

        using var browser = LoopbackBrowser.Create(Api.Start());
        await LoginForm.LoginAsync(browser, "admin", FleetApiFactory.AdminPassword);
        var page = await browser.GetStringAsync(new Uri($"links/{linkId}", UriKind.Relative), Cancel);
        Assert.Contains("data-testid=\"failed-change\"", page, StringComparison.Ordinal);
        Assert.Contains("Generation 2 is not in force: the agent could not apply it.", page, StringComparison.Ordinal);
        Assert.Contains("Cannot find device &quot;eth9&quot;", page, StringComparison.Ordinal);
        Assert.Contains("members[1].interface eth2 → eth9", WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        Assert.Contains("data-member=\"eth2\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-member=\"eth9\"", page, StringComparison.Ordinal);

        // The banner's revert lands in the editor's review of the running generation, one step before it is applied.
        var token = AntiforgeryField().Match(page).Groups[1].Value;
        using var revert = await browser.PostAsync(
            new Uri($"links/{linkId}/policy", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["_handler"] = "revert", ["RevertGeneration"] = "1" }),
            Cancel);
        Assert.Equal(HttpStatusCode.OK, revert.StatusCode);
        Assert.Contains("Reverting to generation 1: review the change.", await revert.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinkPage_ChangeApplied_NoBanner()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin);
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond() }, FleetJson.Options, Cancel);
        var link = await ReadAsync<LinkDto>(created);

        using var browser = LoopbackBrowser.Create(Api.Start());
        await LoginForm.LoginAsync(browser, "admin", FleetApiFactory.AdminPassword);
        var page = await browser.GetStringAsync(new Uri($"links/{link.Id}", UriKind.Relative), Cancel);

        Assert.Contains("data-member=\"eth2\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"failed-change\"", page, StringComparison.Ordinal);
    }

    /// <summary>A bond on eth1+eth2 (generation 1, applied), changed to eth1+eth9 (generation 2), which the agent failed to apply.</summary>
    private async Task<Guid> FailedChangeAsync()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin);
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond() }, FleetJson.Options, Cancel);
        var link = await ReadAsync<LinkDto>(created);
        var changed = Specs.Bond() with { Members = [new MemberSpec { Interface = "eth1" }, new MemberSpec { Interface = "eth9", AdminState = MemberAdminState.Backup }] };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{link.Id}/spec") { Content = JsonContent.Create(changed, options: FleetJson.Options) };
        request.Headers.TryAddWithoutValidation("If-Match", "*");
        using var put = await admin.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        // What the agent's reports record (no agent runs in this suite): generation 1 in force, generation 2 failed.
        await using var db = Database.CreateContext();
        await db.Links.Where(l => l.Id == link.Id).ExecuteUpdateAsync(
            s => s.SetProperty(l => l.Phase, LinkPhase.Failed).SetProperty(l => l.ObservedGeneration, 1).SetProperty(l => l.LastError, "Cannot find device \"eth9\""),
            Cancel);
        return link.Id;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
