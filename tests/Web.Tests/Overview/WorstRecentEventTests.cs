using Fleet.Contracts.Agents;
using Fleet.Web.Overview;

namespace Fleet.Web.Tests.Overview;

public sealed class WorstRecentEventTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static EventSummary At(TimeSpan ago, EventSeverity severity, string kind) => new(s_now - ago, severity, kind, kind + " happened");

    [Fact]
    public void Pick_ErrorTenMinutesAgoAndInfoJustNow_ShowsTheError()
    {
        var down = At(TimeSpan.FromMinutes(10), EventSeverity.Error, "member_down");
        var up = At(TimeSpan.FromSeconds(1), EventSeverity.Info, "member_up");

        Assert.Equal(down, WorstRecentEvent.Pick([up, down], s_now));
    }

    [Fact]
    public void Pick_TwoOfTheWorstSeverity_ShowsTheNewer()
    {
        var older = At(TimeSpan.FromMinutes(9), EventSeverity.Warning, "member_degraded");
        var newer = At(TimeSpan.FromMinutes(2), EventSeverity.Warning, "loss_high");

        Assert.Equal(newer, WorstRecentEvent.Pick([older, At(TimeSpan.FromMinutes(1), EventSeverity.Info, "applied"), newer], s_now));
    }

    [Fact]
    public void Pick_ErrorOlderThanTheWindow_ShowsTheRecentInfo()
    {
        var old = At(WorstRecentEvent.Window + TimeSpan.FromSeconds(1), EventSeverity.Error, "apply_failed");
        var recent = At(TimeSpan.FromMinutes(3), EventSeverity.Info, "applied");

        Assert.Equal(recent, WorstRecentEvent.Pick([old, recent], s_now));
    }

    [Fact]
    public void Pick_NothingInTheWindow_ShowsTheNewest()
    {
        var error = At(TimeSpan.FromHours(3), EventSeverity.Error, "apply_failed");
        var info = At(TimeSpan.FromHours(1), EventSeverity.Info, "applied");

        Assert.Equal(info, WorstRecentEvent.Pick([error, info], s_now));
    }

    [Fact]
    public void Pick_NoEvents_Null() => Assert.Null(WorstRecentEvent.Pick([], s_now));
}
