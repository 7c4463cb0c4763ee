using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Api.Tests.Security;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Api.Tests.Doctor;

/// <summary>
/// The link page's Doctor panel in the running Api, as a browser posts it: the Run speed test form orders the test from
/// the connected agent and the page answers with it pending; after the agent's report the page shows the result.
/// </summary>
public sealed partial class SpeedTestDashboardTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LinkPage_RunSpeedTest_OrdersItShowsItPendingThenTheResult()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin);
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Striper() }, FleetJson.Options, Cancel);
        var link = await ReadAsync<LinkDto>(created);
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        using var browser = LoopbackBrowser.Create(Api.Start());
        await LoginForm.LoginAsync(browser, "admin", FleetApiFactory.AdminPassword);
        var page = await browser.GetStringAsync(new Uri($"links/{link.Id}", UriKind.Relative), Cancel);
        Assert.Contains("data-testid=\"speed-test-none\"", page, StringComparison.Ordinal);

        using var post = await browser.PostAsync(
            new Uri($"links/{link.Id}", UriKind.Relative),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = AntiforgeryField().Match(page).Groups[1].Value, ["_handler"] = "speed-test" }),
            Cancel);

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Contains("data-testid=\"speed-test-pending\"", await post.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        var order = await agent.NextOrderAsync();
        Assert.Equal(link.Id, order.LinkId);
        await agent.ReportAsync(order, SpeedTestAgent.Measured(("eth1", 30), ("eth2", 10)));
        page = await browser.GetStringAsync(new Uri($"links/{link.Id}", UriKind.Relative), Cancel);
        Assert.Contains("data-state=\"completed\"", page, StringComparison.Ordinal);
        Assert.Contains("<td>30.0 Mbit/s</td>", page, StringComparison.Ordinal);
        Assert.Contains("user:admin", page, StringComparison.Ordinal);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
