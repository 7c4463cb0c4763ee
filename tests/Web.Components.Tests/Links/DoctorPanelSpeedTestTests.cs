using System.Security.Claims;
using Bunit;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Web.Doctor;
using Fleet.Web.Formatting;
using Fleet.Web.Settings;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Web.Components.Tests.Links;

/// <summary>
/// The Doctor panel's path speed test on a striper link: the latest result per member and when it ran; an operator's
/// button starts a test through <see cref="ILinkSpeedTests"/> and the panel shows it pending (or why it was refused);
/// a viewer sees the result without the button; other kinds have no speed test.
/// </summary>
public sealed class DoctorPanelSpeedTestTests : BunitContext
{
    private static readonly Guid s_linkId = Guid.Parse("5a0c1d2e-3f40-4b5c-8d6e-7f8091a2b3c5");
    private static readonly DateTimeOffset s_now = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeSpeedTests _tests = new();
    private readonly FakeSchedule _schedule = new();

    public DoctorPanelSpeedTestTests()
    {
        Services.AddSingleton<ILinkDiagnosisQuery>(new HealthyQuery());
        Services.AddSingleton<ILinkSpeedTests>(_tests);
        Services.AddSingleton<ILinkSpeedTestSchedule>(_schedule);
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(s_now));
        Services.AddSingleton<AntiforgeryStateProvider, NoAntiforgery>();
    }

    [Fact]
    public void Operator_CompletedTest_PerMemberResultWhenItRanAndTheButton()
    {
        _tests.Latest = Completed();

        var panel = RenderAs(DashboardRoles.Operator, LinkKind.Striper);

        Assert.Equal("completed", panel.Find("[data-testid=speed-test]").GetAttribute("data-state"));
        Assert.Contains("Measured", panel.Find("[data-testid=speed-test-when]").TextContent, StringComparison.Ordinal);
        Assert.Contains("api_key:ops", panel.Find("[data-testid=speed-test-when]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(panel.Find("[data-testid=speed-test-when] time"));
        var eth1 = Cells(panel, "eth1");
        Assert.Equal(("30.0 Mbit/s", "28.5 Mbit/s", "2.00 ms → 35.0 ms", Units.Percent(0.1)), (eth1[1], eth1[2], eth1[3], eth1[4]));
        Assert.Equal("≥ 100 Mbit/s", Cells(panel, "eth2")[1]);
        Assert.Contains("not measured: disabled", Cells(panel, "wwan0")[1], StringComparison.Ordinal);
        Assert.False(panel.Find("[data-testid=speed-test-run]").HasAttribute("disabled"));
    }

    [Fact]
    public void Operator_RunSpeedTest_StartsThroughTheCommandsAndShowsItPending()
    {
        var panel = RenderAs(DashboardRoles.Operator, LinkKind.Striper);
        Assert.NotNull(panel.Find("[data-testid=speed-test-none]"));

        panel.Find("[data-testid=speed-test] form").Submit();

        Assert.Equal(s_linkId, _tests.Started);
        Assert.Equal("pending", panel.Find("[data-testid=speed-test]").GetAttribute("data-state"));
        Assert.Contains("at most 100 Mbit/s per path", panel.Find("[data-testid=speed-test-pending]").TextContent, StringComparison.Ordinal);
        Assert.True(panel.Find("[data-testid=speed-test-run]").HasAttribute("disabled"));
    }

    [Fact]
    public void Operator_Refused_SaysWhy()
    {
        _tests.Refusal = "The link's agent is offline: a speed test runs on the host, so it needs the agent connected.";
        var panel = RenderAs(DashboardRoles.Operator, LinkKind.Striper);

        panel.Find("[data-testid=speed-test] form").Submit();

        Assert.Equal(_tests.Refusal, panel.Find("[data-testid=speed-test-refusal]").TextContent);
        Assert.Equal("none", panel.Find("[data-testid=speed-test]").GetAttribute("data-state"));
    }

    [Fact]
    public void Viewer_SeesTheResultWithoutTheButton()
    {
        _tests.Latest = Completed();

        var panel = RenderAs(DashboardRoles.Viewer, LinkKind.Striper);

        Assert.Equal(3, panel.FindAll("[data-testid=speed-test-paths] tbody tr").Count);
        Assert.Empty(panel.FindAll("[data-testid=speed-test] form"));
    }

    [Fact]
    public void TimedOut_ShowsTheError()
    {
        _tests.Latest = Completed() with { State = SpeedTestState.TimedOut, Result = null, Error = "the agent did not answer within 90 s" };

        var panel = RenderAs(DashboardRoles.Viewer, LinkKind.Striper);

        Assert.Contains("Timed out", panel.Find("[data-testid=speed-test-when]").TextContent, StringComparison.Ordinal);
        Assert.Equal("the agent did not answer within 90 s", panel.Find("[data-testid=speed-test-error]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=speed-test-paths]"));
    }

    [Fact]
    public void PendingTest_FollowedByThePollModuleUntilItFinishes()
    {
        _tests.Latest = Completed() with { State = SpeedTestState.Pending, Result = null, FinishedAt = null };

        var pending = RenderAs(DashboardRoles.Viewer, LinkKind.Striper);
        _tests.Latest = Completed();
        var completed = RenderAs(DashboardRoles.Viewer, LinkKind.Striper);

        Assert.Equal(SpeedTestPanel.PollModule, pending.Find("[data-testid=speed-test]").GetAttribute("data-fleet-module"));
        Assert.Contains("shows here when it finishes", pending.Find("[data-testid=speed-test-pending]").TextContent, StringComparison.Ordinal);
        Assert.False(completed.Find("[data-testid=speed-test]").HasAttribute("data-fleet-module"));
    }

    [Fact]
    public void PairEnd_BothDirections_TheOtherEndsTableAndFollowedWhileItRuns()
    {
        var peerLink = Guid.Parse("5a0c1d2e-3f40-4b5c-8d6e-7f8091a2b3c6");
        _tests.Latest = Completed() with { Peer = new SpeedTestPeerDto { LinkId = peerLink, State = SpeedTestState.Pending } };
        var running = RenderAs(DashboardRoles.Viewer, LinkKind.Striper);
        _tests.Latest = Completed() with
        {
            Peer = new SpeedTestPeerDto
            {
                LinkId = peerLink,
                State = SpeedTestState.Completed,
                Result = new SpeedTestResult(s_now, TimeSpan.FromSeconds(2), SpeedTestResult.ToPeer, [new PathSpeedResult("eth1", true, null, 20e6, 19e6, 100e6, 2, 30, 0, true)], 19e6, null),
            },
        };
        var measured = RenderAs(DashboardRoles.Viewer, LinkKind.Striper);

        Assert.Equal(("pending", SpeedTestPanel.PollModule), (running.Find("[data-testid=speed-test]").GetAttribute("data-peer-state"), running.Find("[data-testid=speed-test]").GetAttribute("data-fleet-module")));
        Assert.Contains("running", running.Find("[data-testid=speed-test-peer]").TextContent, StringComparison.Ordinal);
        Assert.False(measured.Find("[data-testid=speed-test]").HasAttribute("data-fleet-module"));
        Assert.Equal("20.0 Mbit/s", measured.Find("[data-testid=speed-test-peer-paths] tr[data-member=eth1]").QuerySelectorAll("td")[1].TextContent);
        Assert.Equal(3, measured.FindAll("[data-testid=speed-test-paths] tbody tr").Count);
    }

    [Fact]
    public void Viewer_Schedule_ShownReadOnly()
    {
        _schedule.Schedule = Schedule() with { LastRefusal = "The link's agent is offline." };

        var panel = RenderAs(DashboardRoles.Viewer, LinkKind.Striper);

        var schedule = panel.Find("[data-testid=speed-test-schedule]");
        Assert.Equal("02:00", schedule.GetAttribute("data-daily-at"));
        Assert.Contains("Scheduled: daily at 02:00 UTC, at most 50 Mbit/s per path (set by user:nina).", panel.Find("[data-testid=speed-test-schedule-text]").TextContent, StringComparison.Ordinal);
        Assert.Contains("The link's agent is offline.", panel.Find("[data-testid=speed-test-schedule-refusal]").TextContent, StringComparison.Ordinal);
        Assert.Empty(schedule.QuerySelectorAll("form"));
        Assert.Equal(s_linkId, _schedule.Asked);
    }

    [Fact]
    public void Operator_Schedule_FormWithTheTimeToChangeAndClear()
    {
        _schedule.Schedule = Schedule();

        var panel = RenderAs(DashboardRoles.Operator, LinkKind.Striper);

        var form = panel.Find("[data-testid=speed-test-schedule] form");
        Assert.Equal("02:00", form.QuerySelector("input[type=time][name=DailyAtUtc]")!.GetAttribute("value"));
        Assert.Equal(("ScheduleCommand", "set"), (panel.Find("[data-testid=speed-test-schedule-set]").GetAttribute("name"), panel.Find("[data-testid=speed-test-schedule-set]").GetAttribute("value")));
        Assert.Equal("clear", panel.Find("[data-testid=speed-test-schedule-clear]").GetAttribute("value"));
    }

    [Fact]
    public void Operator_NoSchedule_SaysSoAndOffersToSetOne()
    {
        var panel = RenderAs(DashboardRoles.Operator, LinkKind.Striper);

        Assert.Contains("No schedule", panel.Find("[data-testid=speed-test-schedule-text]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Schedule", panel.Find("[data-testid=speed-test-schedule-set]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=speed-test-schedule-clear]"));
    }

    [Fact]
    public void BondLink_NoSpeedTest()
    {
        var panel = RenderAs(DashboardRoles.Operator, LinkKind.Bond);

        Assert.Empty(panel.FindAll("[data-testid=speed-test]"));
        Assert.Null(_tests.Asked);
    }

    private IRenderedComponent<DoctorPanel> RenderAs(string role, LinkKind kind) =>
        Render<DoctorPanel>(p => p
            .Add(x => x.LinkId, s_linkId)
            .Add(x => x.Kind, kind)
            .AddCascadingValue(new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "test")) }));

    private static List<string> Cells(IRenderedComponent<DoctorPanel> panel, string member) =>
        [.. panel.Find($"[data-testid=speed-test-paths] tr[data-member={member}]").QuerySelectorAll("td").Select(c => c.TextContent.Trim())];

    private static SpeedTestDto Completed() => new()
    {
        Id = Guid.CreateVersion7(),
        LinkId = s_linkId,
        State = SpeedTestState.Completed,
        RequestedBy = "api_key:ops",
        RequestedAt = s_now.AddMinutes(-5),
        FinishedAt = s_now.AddMinutes(-5).AddSeconds(3),
        MaxMbitPerPath = 100,
        Result = new SpeedTestResult(s_now.AddMinutes(-5), TimeSpan.FromSeconds(3), SpeedTestResult.ToPeer,
            [
                new PathSpeedResult("eth1", true, null, 30e6, 28.5e6, 100e6, 2, 35, 0.1, true),
                new PathSpeedResult("eth2", true, null, 100e6, 60e6, 100e6, 3, 4, 0, false),
                new PathSpeedResult("wwan0", false, "disabled", 0, 0, 0, 0, 0, 0, false),
            ],
            88.5e6, null),
    };

    private static SpeedTestScheduleDto Schedule() => new()
    {
        LinkId = s_linkId, DailyAtUtc = "02:00", MaxMbitPerPath = 50, UpdatedBy = "user:nina", UpdatedAt = s_now.AddDays(-1),
    };

    private sealed class FakeSchedule : ILinkSpeedTestSchedule
    {
        public SpeedTestScheduleDto? Schedule { get; set; }

        public Guid? Asked { get; private set; }

        public Task<SpeedTestScheduleDto?> GetAsync(Guid linkId, CancellationToken cancellationToken)
        {
            Asked = linkId;
            return Task.FromResult(Schedule);
        }

        public Task<ScheduleChange> SetAsync(Guid linkId, string? dailyAtUtc, int? maxMbitPerPath, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a form post is tested in Api.Tests Doctor.SpeedTestDashboardTests");

        public Task<ScheduleChange> ClearAsync(Guid linkId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a form post is tested in Api.Tests Doctor.SpeedTestDashboardTests");
    }

    private sealed class FakeSpeedTests : ILinkSpeedTests
    {
        public SpeedTestDto? Latest { get; set; }

        public string? Refusal { get; set; }

        public Guid? Asked { get; private set; }

        public Guid? Started { get; private set; }

        public Task<SpeedTestDto?> LatestAsync(Guid linkId, CancellationToken cancellationToken)
        {
            Asked = linkId;
            return Task.FromResult(Latest);
        }

        public Task<SpeedTestStart> StartAsync(Guid linkId, CancellationToken cancellationToken)
        {
            Started = linkId;
            if (Refusal is { } refusal)
            {
                return Task.FromResult(new SpeedTestStart(null, refusal));
            }

            Latest = new SpeedTestDto
            {
                Id = Guid.CreateVersion7(), LinkId = linkId, State = SpeedTestState.Pending, RequestedBy = "user:nina", RequestedAt = s_now, MaxMbitPerPath = 100,
            };
            return Task.FromResult(new SpeedTestStart(Latest, null));
        }
    }

    private sealed class HealthyQuery : ILinkDiagnosisQuery
    {
        public Task<Diagnosis?> DiagnoseAsync(Guid linkId, TimeSpan window, CancellationToken cancellationToken) =>
            Task.FromResult<Diagnosis?>(new Diagnosis
            {
                LinkId = linkId, Verdict = DoctorVerdict.Healthy, Summary = "Healthy", From = s_now - window, To = s_now, Findings = [], Members = [],
            });
    }

    private sealed class NoAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => null;
    }
}
