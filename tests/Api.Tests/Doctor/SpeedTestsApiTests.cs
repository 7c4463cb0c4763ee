using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Doctor;
using Fleet.Api.Security;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Doctor;

/// <summary>
/// Speed tests over REST with a connected agent (the real agent's hub connection): a start orders the test from the
/// link's agent, its report becomes the result resource, the history and the diagnosis's measured capacities; bad
/// input, other kinds, an offline agent and a test in progress are refused; an agent answers only its own tests; a
/// test without an answer times out (a manual clock).
/// </summary>
public abstract class SpeedTestsApiTests(DatabaseProvider provider, PostgresFixture postgres) : SpeedTestApiTestBase(provider, postgres)
{
    [Fact]
    public async Task Start_AgentReports_ResultStoredInHistoryAndTheDiagnosis()
    {
        var (host, link) = await ArrangeAsync();
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        using var operatorClient = Client(OperatorKey);

        using var started = await operatorClient.PostAsJsonAsync($"api/v1/links/{link}/speed-tests", new StartSpeedTestRequest { MaxMbitPerPath = 50 }, FleetJson.Options, Cancel);

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var pending = await ReadAsync<SpeedTestDto>(started);
        Assert.Equal($"/api/v1/links/{link}/speed-tests/{pending.Id}", started.Headers.Location!.OriginalString);
        Assert.Equal((SpeedTestState.Pending, 50, (SpeedTestResult?)null), (pending.State, pending.MaxMbitPerPath, pending.Result));
        var order = await agent.NextOrderAsync();
        Assert.Equal((pending.Id, link, "str0", 50e6), (order.TestId, order.LinkId, order.Link, order.MaxRateBitsPerSecond));

        // Weights 1:3, but eth1 carries 30 Mbit/s and eth2 10: the diagnosis sees the mismatch from the stored test.
        await agent.ReportAsync(order, SpeedTestAgent.Measured(("eth1", 30), ("eth2", 10)), new Dictionary<string, double> { ["eth1"] = 1e9 });

        using var viewer = Client(ViewerKey);
        var completed = await GetAsync<SpeedTestDto>(viewer, started.Headers.Location!.OriginalString);
        Assert.Equal(SpeedTestState.Completed, completed.State);
        Assert.NotNull(completed.FinishedAt);
        Assert.Null(completed.Error);
        Assert.Equal([30e6, 10e6], completed.Result!.Paths.Select(p => p.CapacityBitsPerSecond));
        Assert.Equal(1e9, completed.InterfaceSpeeds!["eth1"]);
        Assert.Equal($"api_key:{OperatorName}", completed.RequestedBy);

        await StoreSamplesAsync(link);
        var diagnosis = await GetAsync<Diagnosis>(viewer, $"api/v1/links/{link}/diagnosis");
        Assert.Equal(30e6, diagnosis.Members.Single(m => m.Member == "eth1").MeasuredCapacityBitsPerSecond);
        Assert.Equal(1e9, diagnosis.Members.Single(m => m.Member == "eth1").InterfaceSpeedBitsPerSecond);
        Assert.Contains(diagnosis.Findings, f => f.Code == "capacity_mismatch");

        // The aggregation ratio: 8 Mbit/s sent on each member against 30 + 10 measured, in the diagnosis (the busiest
        // interval) and on the overview's row (the latest interval), by one rule.
        Assert.Equal(new AggregationRatio(0.4, 16e6, 40e6), diagnosis.Aggregation);
        await using (var scope = Api.Services.CreateAsyncScope())
        {
            var rows = await scope.ServiceProvider.GetRequiredService<Fleet.Api.Dashboard.FleetSnapshot>().LoadAsync(host.HostId, Cancel);
            Assert.Equal(new AggregationRatio(0.4, 16e6, 40e6), rows.Single().Links.Single(l => l.Summary.Id == link).Summary.Aggregation);
        }

        // A second test, which the agent could not run: failed, first in the history.
        using var again = await operatorClient.PostAsync(new Uri($"api/v1/links/{link}/speed-tests", UriKind.Relative), null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var second = await agent.NextOrderAsync();
        Assert.Equal(SpeedTestCommands.DefaultMaxMbitPerPath * 1e6, second.MaxRateBitsPerSecond);
        await agent.ReportAsync(second, new SpeedTestResult(DateTimeOffset.UtcNow, TimeSpan.Zero, SpeedTestResult.ToPeer, [], 0, "a speed test is already running"));

        var page = await GetAsync<Page<SpeedTestDto>>(viewer, $"api/v1/links/{link}/speed-tests?limit=1");
        var newest = Assert.Single(page.Items);
        Assert.Equal((second.TestId, SpeedTestState.Failed, "a speed test is already running"), (newest.Id, newest.State, newest.Error));
        var rest = await GetAsync<Page<SpeedTestDto>>(viewer, $"api/v1/links/{link}/speed-tests?limit=1&cursor={page.NextCursor}");
        Assert.Equal(pending.Id, Assert.Single(rest.Items).Id);
        Assert.Null(rest.NextCursor);

        // A failed test does not replace the measurement the diagnosis uses.
        diagnosis = await GetAsync<Diagnosis>(viewer, $"api/v1/links/{link}/diagnosis");
        Assert.Equal(30e6, diagnosis.Members.Single(m => m.Member == "eth1").MeasuredCapacityBitsPerSecond);
        Assert.Contains(await AuditActionsAsync(link), a => a == "link.speed_test.started");
    }

    [Fact]
    public async Task DashboardDoor_OperatorStarts_SameCommandAgentOrderedLatestShown_ViewerRefused()
    {
        var (host, link) = await ArrangeAsync();
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);

        await using (var viewerDoor = DashboardDoor.As(Api, DashboardDoor.AsApiKey(FleetRoles.Viewer, "speed-viewer")))
        {
            var refused = await viewerDoor.SpeedTests.StartAsync(link, Cancel);
            Assert.Equal((null, "Starting a speed test needs the operator or admin role."), (refused.Test, refused.Refusal));
        }

        await using var door = DashboardDoor.As(Api, DashboardDoor.AsApiKey(FleetRoles.Operator, OperatorName));
        var started = await door.SpeedTests.StartAsync(link, Cancel);

        Assert.Null(started.Refusal);
        var order = await agent.NextOrderAsync();
        Assert.Equal(started.Test!.Id, order.TestId);
        await agent.ReportAsync(order, SpeedTestAgent.Measured(("eth1", 30), ("eth2", 10)));
        var latest = await door.SpeedTests.LatestAsync(link, Cancel);
        Assert.Equal((order.TestId, SpeedTestState.Completed), (latest!.Id, latest.State));
        var again = await door.SpeedTests.StartAsync(link, Cancel);
        Assert.Null(again.Refusal);
        await using var db = Database.CreateContext();
        Assert.Equal(2, await db.AuditLog.CountAsync(a => a.Action == "link.speed_test.started" && a.Actor == $"api_key:{OperatorName}", Cancel));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_001)]
    public async Task Start_MaxMbitOutOfRange_400WithTheField(int mbit)
    {
        var (host, link) = await ArrangeAsync();
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        using var operatorClient = Client(OperatorKey);

        using var response = await operatorClient.PostAsJsonAsync($"api/v1/links/{link}/speed-tests", new StartSpeedTestRequest { MaxMbitPerPath = mbit }, FleetJson.Options, Cancel);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("1 to 100000", problem.GetProperty("errors").GetProperty("maxMbitPerPath")[0].GetString(), StringComparison.Ordinal);
        Assert.False(agent.HasOrder);
    }

    [Fact]
    public async Task Start_BodyNotAnObject_400Problem()
    {
        var (host, link) = await ArrangeAsync();
        using var operatorClient = Client(OperatorKey);
        using var content = new StringContent("{\"maxMbitPerPath\":\"fast\"}", System.Text.Encoding.UTF8, "application/json");

        using var response = await operatorClient.PostAsync(new Uri($"api/v1/links/{link}/speed-tests", UriKind.Relative), content, Cancel);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Start_Viewer_403()
    {
        var (_, link) = await ArrangeAsync();
        using var viewer = Client(ViewerKey);

        using var response = await viewer.PostAsync(new Uri($"api/v1/links/{link}/speed-tests", UriKind.Relative), null, Cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task UnknownLinkOrTest_404()
    {
        var (_, link) = await ArrangeAsync();
        using var operatorClient = Client(OperatorKey);

        using var start = await operatorClient.PostAsync(new Uri($"api/v1/links/{Guid.CreateVersion7()}/speed-tests", UriKind.Relative), null, Cancel);
        using var list = await operatorClient.GetAsync(new Uri($"api/v1/links/{Guid.CreateVersion7()}/speed-tests", UriKind.Relative), Cancel);
        using var get = await operatorClient.GetAsync(new Uri($"api/v1/links/{link}/speed-tests/{Guid.CreateVersion7()}", UriKind.Relative), Cancel);

        await ProblemAssert.IsProblemAsync(start, HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(list, HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(get, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Start_MptcpLink_409SaysWhy()
    {
        var (host, _) = await ArrangeAsync();
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        var mptcp = await CreateLinkAsync(host.HostId, LinkSpecs.Mptcp());
        using var operatorClient = Client(OperatorKey);

        using var response = await operatorClient.PostAsync(new Uri($"api/v1/links/{mptcp}/speed-tests", UriKind.Relative), null, Cancel);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Conflict);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("Only striper links", detail, StringComparison.Ordinal);
        Assert.Contains("MPTCP has no path of its own", detail, StringComparison.Ordinal);
        Assert.False(agent.HasOrder);
    }

    [Fact]
    public async Task Start_AgentOffline_409()
    {
        var (_, link) = await ArrangeAsync();
        using var operatorClient = Client(OperatorKey);

        using var response = await operatorClient.PostAsync(new Uri($"api/v1/links/{link}/speed-tests", UriKind.Relative), null, Cancel);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("offline", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await using var db = Database.CreateContext();
        Assert.False(await db.SpeedTests.AnyAsync(Cancel));
    }

    [Fact]
    public async Task Start_TestStillPending_409()
    {
        var (host, link) = await ArrangeAsync();
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        using var operatorClient = Client(OperatorKey);
        using var first = await operatorClient.PostAsync(new Uri($"api/v1/links/{link}/speed-tests", UriKind.Relative), null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        using var second = await operatorClient.PostAsync(new Uri($"api/v1/links/{link}/speed-tests", UriKind.Relative), null, Cancel);

        var problem = await ProblemAssert.IsProblemAsync(second, HttpStatusCode.Conflict);
        Assert.Contains("still running", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_TestOfAnotherHostsLink_RefusedAuditedAndTheTestStaysPending()
    {
        var (host, link) = await ArrangeAsync();
        using var admin = Client();
        var other = await FleetRequests.EnrollHostAsync(admin, "host-b");
        await CreateLinkAsync(other.HostId, Specs.Striper());
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        await using var intruder = await SpeedTestAgent.ConnectAsync(Api.Start(), other.Credential);
        using var operatorClient = Client(OperatorKey);
        using var started = await operatorClient.PostAsync(new Uri($"api/v1/links/{link}/speed-tests", UriKind.Relative), null, Cancel);
        var order = await agent.NextOrderAsync();

        var foreign = await Assert.ThrowsAsync<HubException>(() => intruder.ReportAsync(order, SpeedTestAgent.Measured(("eth1", 1), ("eth2", 1))));
        var invented = await Assert.ThrowsAsync<HubException>(() => agent.ReportAsync(order with { TestId = Guid.CreateVersion7() }, SpeedTestAgent.Measured(("eth1", 1))));
        var wrongLink = await Assert.ThrowsAsync<HubException>(() => agent.ReportAsync(order with { LinkId = Guid.CreateVersion7() }, SpeedTestAgent.Measured(("eth1", 1))));

        Assert.All([foreign, invented, wrongLink], e => Assert.Contains("was not ordered from this host", e.Message, StringComparison.Ordinal));
        using var viewer = Client(ViewerKey);
        Assert.Equal(SpeedTestState.Pending, (await GetAsync<SpeedTestDto>(viewer, started.Headers.Location!.OriginalString)).State);
        await using var db = Database.CreateContext();
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "agent.report.rejected" && a.TargetId == other.HostId.ToString(), Cancel));
    }

    [Fact]
    public async Task Report_NotAResult_Refused()
    {
        var (host, link) = await ArrangeAsync();
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        using var operatorClient = Client(OperatorKey);
        using var started = await operatorClient.PostAsync(new Uri($"api/v1/links/{link}/speed-tests", UriKind.Relative), null, Cancel);
        var order = await agent.NextOrderAsync();

        await Assert.ThrowsAsync<HubException>(() => agent.ReportAsync(order, SpeedTestAgent.Measured(("not/a name", 10))));

        using var viewer = Client(ViewerKey);
        Assert.Equal(SpeedTestState.Pending, (await GetAsync<SpeedTestDto>(viewer, started.Headers.Location!.OriginalString)).State);
    }

    [Fact]
    public async Task Pending_NoAnswerIn90s_TimedOut_LateAnswerIgnored_NextStartAccepted()
    {
        var (host, link) = await ArrangeAsync();
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        using var operatorClient = Client(OperatorKey);
        using var started = await operatorClient.PostAsync(new Uri($"api/v1/links/{link}/speed-tests", UriKind.Relative), null, Cancel);
        var order = await agent.NextOrderAsync();
        using var viewer = Client(ViewerKey);

        Clock.Advance(SpeedTestCommands.Timeout - TimeSpan.FromSeconds(1));
        Assert.Equal(SpeedTestState.Pending, (await GetAsync<SpeedTestDto>(viewer, started.Headers.Location!.OriginalString)).State);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var timedOut = await GetAsync<SpeedTestDto>(viewer, started.Headers.Location!.OriginalString);

        Assert.Equal(SpeedTestState.TimedOut, timedOut.State);
        Assert.Equal(timedOut.RequestedAt + SpeedTestCommands.Timeout, timedOut.FinishedAt);
        Assert.Contains("did not answer within 90 s", timedOut.Error, StringComparison.Ordinal);

        await agent.ReportAsync(order, SpeedTestAgent.Measured(("eth1", 30), ("eth2", 10)));
        Assert.Equal(SpeedTestState.TimedOut, (await GetAsync<SpeedTestDto>(viewer, started.Headers.Location!.OriginalString)).State);

        // The agent is still there (a hello says so after the clock jump): the next test starts, and the expired one is
        // written timed out.
        await agent.HelloAsync();
        using var next = await operatorClient.PostAsync(new Uri($"api/v1/links/{link}/speed-tests", UriKind.Relative), null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        await using var db = Database.CreateContext();
        Assert.Equal(SpeedTestState.TimedOut, (await db.SpeedTests.SingleAsync(t => t.Id == order.TestId, Cancel)).State);
    }

    /// <summary>A minute of traffic on both members, so both carry in the diagnosis's window.</summary>
    private async Task StoreSamplesAsync(Guid link)
    {
        await using var db = Database.CreateContext();
        var start = Clock.GetUtcNow().UtcDateTime.AddMinutes(-1);
        for (var i = 0; i < 60; i++)
        {
            foreach (var member in new[] { "eth1", "eth2" })
            {
                db.Samples.Add(new SampleEntity { LinkId = link, Member = member, Time = start.AddSeconds(i), IntervalMs = 1000, TxBytes = 1_000_000, RxBytes = 100_000, RttMs = 20, LossPercent = 0, Health = MemberHealth.Up });
            }
        }

        await db.SaveChangesAsync(Cancel);
    }

    private async Task<List<string>> AuditActionsAsync(Guid link)
    {
        await using var db = Database.CreateContext();
        return await db.AuditLog.Where(a => a.TargetId == link.ToString()).Select(a => a.Action).ToListAsync(Cancel);
    }
}

public sealed class SqliteSpeedTestsApiTests(PostgresFixture postgres) : SpeedTestsApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresSpeedTestsApiTests(PostgresFixture postgres) : SpeedTestsApiTests(DatabaseProvider.Postgres, postgres);
