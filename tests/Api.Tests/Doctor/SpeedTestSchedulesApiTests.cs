using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Doctor;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Doctor;

/// <summary>
/// A link's daily speed test: set, read and removed over REST (roles, field errors, unknown links, other kinds), and
/// started by <see cref="SpeedTestScheduler"/>'s rounds (called directly at the manual clock's time) through the same
/// command as REST, from a connected agent (the real agent's hub connection): due or not, once a day (also for a new
/// scheduler, as after a restart), and a start refused while the agent is offline recorded and tried again.
/// </summary>
public abstract class SpeedTestSchedulesApiTests(DatabaseProvider provider, PostgresFixture postgres) : SpeedTestApiTestBase(provider, postgres)
{
    [Fact]
    public async Task Put_Operator_StoredAuditedAndReadByViewer()
    {
        var (_, link) = await ArrangeAsync();
        using var operatorClient = Client(OperatorKey);

        using var put = await operatorClient.PutAsJsonAsync(Uri(link), new SpeedTestScheduleRequest { DailyAtUtc = "03:30", MaxMbitPerPath = 40 }, FleetJson.Options, Cancel);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var viewer = Client(ViewerKey);
        var schedule = await GetAsync<SpeedTestScheduleDto>(viewer, Uri(link));
        Assert.Equal(("03:30", 40, $"api_key:{OperatorName}", (DateOnly?)null), (schedule.DailyAtUtc, schedule.MaxMbitPerPath, schedule.UpdatedBy, schedule.LastStartedOn));

        using var changed = await operatorClient.PutAsJsonAsync(Uri(link), new SpeedTestScheduleRequest { DailyAtUtc = "23:05" }, FleetJson.Options, Cancel);
        var dto = await ReadAsync<SpeedTestScheduleDto>(changed);
        Assert.Equal(("23:05", SpeedTestCommands.DefaultMaxMbitPerPath), (dto.DailyAtUtc, dto.MaxMbitPerPath));
        await using var db = Database.CreateContext();
        Assert.Equal(2, await db.AuditLog.CountAsync(a => a.Action == "link.speed_test_schedule.set" && a.TargetId == link.ToString(), Cancel));
    }

    [Fact]
    public async Task Put_BadFields_400WithEveryField()
    {
        var (_, link) = await ArrangeAsync();
        using var operatorClient = Client(OperatorKey);

        using var response = await operatorClient.PutAsJsonAsync(Uri(link), new SpeedTestScheduleRequest { DailyAtUtc = "25:00", MaxMbitPerPath = 0 }, FleetJson.Options, Cancel);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Contains("HH:mm", errors.GetProperty("dailyAtUtc")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("1 to 100000", errors.GetProperty("maxMbitPerPath")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ViewerChanges_403()
    {
        var (_, link) = await ArrangeAsync();
        using var viewer = Client(ViewerKey);

        using var put = await viewer.PutAsJsonAsync(Uri(link), new SpeedTestScheduleRequest { DailyAtUtc = "03:30" }, FleetJson.Options, Cancel);
        using var delete = await viewer.DeleteAsync(new Uri(Uri(link), UriKind.Relative), Cancel);

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (put.StatusCode, delete.StatusCode));
    }

    [Fact]
    public async Task UnknownLinkOrNoSchedule_404_MptcpLink_409()
    {
        var (host, link) = await ArrangeAsync();
        var mptcp = await CreateLinkAsync(host.HostId, LinkSpecs.Mptcp());
        using var operatorClient = Client(OperatorKey);

        using var unknown = await operatorClient.PutAsJsonAsync(Uri(Guid.CreateVersion7()), new SpeedTestScheduleRequest { DailyAtUtc = "03:30" }, FleetJson.Options, Cancel);
        using var none = await operatorClient.GetAsync(new Uri(Uri(link), UriKind.Relative), Cancel);
        using var deleteNone = await operatorClient.DeleteAsync(new Uri(Uri(link), UriKind.Relative), Cancel);
        using var other = await operatorClient.PutAsJsonAsync(Uri(mptcp), new SpeedTestScheduleRequest { DailyAtUtc = "03:30" }, FleetJson.Options, Cancel);

        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(none, HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(deleteNone, HttpStatusCode.NotFound);
        var problem = await ProblemAssert.IsProblemAsync(other, HttpStatusCode.Conflict);
        Assert.Contains("MPTCP has no path of its own", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Round_Due_StartsOnceThroughTheCommand_NotAgainThatDayNorAfterARestart()
    {
        var (host, link) = await ArrangeAsync();
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        var slot = await ScheduleAsync(link, minutesFromNow: -1, mbit: 40);

        var started = await Scheduler.StartDueAsync(Cancel);

        Assert.Equal(1, started);
        var order = await agent.NextOrderAsync();
        Assert.Equal((link, 40e6), (order.LinkId, order.MaxRateBitsPerSecond));
        await using var db = Database.CreateContext();
        var test = await db.SpeedTests.SingleAsync(Cancel);
        Assert.Equal((order.TestId, SpeedTestScheduler.Actor), (test.Id, test.RequestedBy));
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "link.speed_test.started" && a.Actor == SpeedTestScheduler.Actor, Cancel));
        Assert.Equal(DateOnly.FromDateTime(slot.UtcDateTime), (await db.SpeedTestSchedules.SingleAsync(Cancel)).LastStartedOn);

        // The test finished; still within the window, neither this scheduler nor a new one (a restart) starts another.
        await agent.ReportAsync(order, SpeedTestAgent.Measured(("eth1", 30), ("eth2", 10)));
        Assert.Equal(0, await Scheduler.StartDueAsync(Cancel));
        Assert.Equal(0, await ActivatorUtilities.CreateInstance<SpeedTestScheduler>(Api.Services).StartDueAsync(Cancel));
        Assert.False(agent.HasOrder);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(-61)]
    public async Task Round_BeforeItsTimeOrAfterItsWindow_NothingStarts(int minutesFromNow)
    {
        var (host, link) = await ArrangeAsync();
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        await ScheduleAsync(link, minutesFromNow, mbit: 40);

        Assert.Equal(0, await Scheduler.StartDueAsync(Cancel));

        await using var db = Database.CreateContext();
        Assert.False(await db.SpeedTests.AnyAsync(Cancel));
        Assert.False(agent.HasOrder);
    }

    [Fact]
    public async Task Round_AgentOffline_RefusalStored_StartsOnTheNextRoundOnceOnline()
    {
        var (host, link) = await ArrangeAsync();
        await ScheduleAsync(link, minutesFromNow: -1, mbit: 40);

        Assert.Equal(0, await Scheduler.StartDueAsync(Cancel));

        await using (var db = Database.CreateContext())
        {
            var schedule = await db.SpeedTestSchedules.SingleAsync(Cancel);
            Assert.Null(schedule.LastStartedOn);
            Assert.Contains("offline", schedule.LastRefusal, StringComparison.Ordinal);
            Assert.Equal(UtcDateTimeConverter.ToStore(Clock.GetUtcNow().UtcDateTime), schedule.LastRefusedAt);
            Assert.False(await db.SpeedTests.AnyAsync(Cancel));
        }

        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        Assert.Equal(1, await Scheduler.StartDueAsync(Cancel));
        Assert.Equal(link, (await agent.NextOrderAsync()).LinkId);
    }

    [Fact]
    public async Task Delete_Operator_NoMoreTests()
    {
        var (host, link) = await ArrangeAsync();
        await using var agent = await SpeedTestAgent.ConnectAsync(Api.Start(), host.Credential);
        await ScheduleAsync(link, minutesFromNow: -1, mbit: 40);
        using var operatorClient = Client(OperatorKey);

        using var delete = await operatorClient.DeleteAsync(new Uri(Uri(link), UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(0, await Scheduler.StartDueAsync(Cancel));
        await using var db = Database.CreateContext();
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "link.speed_test_schedule.deleted" && a.TargetId == link.ToString(), Cancel));
    }

    private SpeedTestScheduler Scheduler => Api.Services.GetRequiredService<SpeedTestScheduler>();

    private static string Uri(Guid link) => $"api/v1/links/{link}/speed-test-schedule";

    /// <summary>Schedules <paramref name="link"/> at the clock's minute plus <paramref name="minutesFromNow"/>; returns that time.</summary>
    private async Task<DateTimeOffset> ScheduleAsync(Guid link, int minutesFromNow, int mbit)
    {
        var now = Clock.GetUtcNow();
        var slot = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(minutesFromNow);
        using var operatorClient = Client(OperatorKey);
        var request = new SpeedTestScheduleRequest { DailyAtUtc = slot.ToString("HH:mm", CultureInfo.InvariantCulture), MaxMbitPerPath = mbit };
        using var response = await operatorClient.PutAsJsonAsync(Uri(link), request, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return slot;
    }
}

public sealed class SqliteSpeedTestSchedulesApiTests(PostgresFixture postgres) : SpeedTestSchedulesApiTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresSpeedTestSchedulesApiTests(PostgresFixture postgres) : SpeedTestSchedulesApiTests(DatabaseProvider.Postgres, postgres);
