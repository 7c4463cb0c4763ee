using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Api.Tests.Security;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Fleet.Web.Doctor;

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
        var pending = await post.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("data-testid=\"speed-test-pending\"", pending, StringComparison.Ordinal);
        Assert.Contains($"data-fleet-module=\"{SpeedTestPanel.PollModule}\"", pending, StringComparison.Ordinal);
        var order = await agent.NextOrderAsync();
        Assert.Equal(link.Id, order.LinkId);
        await agent.ReportAsync(order, SpeedTestAgent.Measured(("eth1", 30), ("eth2", 10)));
        page = await browser.GetStringAsync(new Uri($"links/{link.Id}", UriKind.Relative), Cancel);
        Assert.Contains("data-state=\"completed\"", page, StringComparison.Ordinal);
        Assert.Contains("<td>30.0 Mbit/s</td>", page, StringComparison.Ordinal);
        Assert.Contains("user:admin", page, StringComparison.Ordinal);
        Assert.DoesNotContain(SpeedTestPanel.PollModule, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinkPage_ScheduleForm_SetsAndClearsTheScheduleRestReads()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin);
        using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Striper() }, FleetJson.Options, Cancel);
        var link = await ReadAsync<LinkDto>(created);
        using var browser = LoopbackBrowser.Create(Api.Start());
        await LoginForm.LoginAsync(browser, "admin", FleetApiFactory.AdminPassword);
        var page = await browser.GetStringAsync(new Uri($"links/{link.Id}", UriKind.Relative), Cancel);
        Assert.Contains("No schedule", page, StringComparison.Ordinal);
        var token = AntiforgeryField().Match(page).Groups[1].Value;
        async Task<string> PostAsync(string command, string time)
        {
            using var post = await browser.PostAsync(
                new Uri($"links/{link.Id}", UriKind.Relative),
                new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token, ["_handler"] = SpeedTestSchedulePanel.FormName, ["DailyAtUtc"] = time, ["ScheduleCommand"] = command,
                }),
                Cancel);
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            return await post.Content.ReadAsStringAsync(Cancel);
        }

        var bad = await PostAsync("set", "25:00");
        var set = await PostAsync("set", "02:00");
        using var read = await admin.GetAsync(new Uri($"api/v1/links/{link.Id}/speed-test-schedule", UriKind.Relative), Cancel);
        var schedule = await ReadAsync<SpeedTestScheduleDto>(read);
        var cleared = await PostAsync("clear", "");
        using var gone = await admin.GetAsync(new Uri($"api/v1/links/{link.Id}/speed-test-schedule", UriKind.Relative), Cancel);

        Assert.Contains("data-testid=\"speed-test-schedule-error\">The time must be a time of day in UTC as HH:mm", bad, StringComparison.Ordinal);
        Assert.Contains("Scheduled: daily at <strong>02:00 UTC</strong>, at most 100 Mbit/s per path (set by user:admin).", set, StringComparison.Ordinal);
        Assert.Equal(("02:00", 100, "user:admin"), (schedule.DailyAtUtc, schedule.MaxMbitPerPath, schedule.UpdatedBy));
        Assert.Contains("No schedule", cleared, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
