using Fleet.Api.Doctor;

namespace Fleet.Api.Tests.Doctor;

/// <summary>When a daily speed test is due: from its time for an hour, once a day, across midnight.</summary>
public sealed class SpeedTestScheduleRuleTests
{
    private static readonly TimeOnly At0330 = new(3, 30);

    private static readonly DateOnly Day = new(2026, 12, 7);

    private static DateTimeOffset On(DateOnly day, int hour, int minute) => new(day.ToDateTime(new TimeOnly(hour, minute)), TimeSpan.Zero);

    [Theory]
    [InlineData(3, 29, false)]
    [InlineData(3, 30, true)]
    [InlineData(4, 29, true)]
    [InlineData(4, 30, false)]
    [InlineData(15, 0, false)]
    public void DueDay_NotStartedYet_DueOnlyInTheHourAfterItsTime(int hour, int minute, bool due)
    {
        var day = SpeedTestScheduleRule.DueDay(At0330, Day.AddDays(-1), On(Day, hour, minute));

        Assert.Equal(due ? Day : null, day);
    }

    [Fact]
    public void DueDay_StartedToday_NotDueAgainThatDay_DueTheNext()
    {
        Assert.Null(SpeedTestScheduleRule.DueDay(At0330, Day, On(Day, 3, 45)));
        Assert.Equal(Day.AddDays(1), SpeedTestScheduleRule.DueDay(At0330, Day, On(Day.AddDays(1), 3, 30)));
    }

    [Fact]
    public void DueDay_NeverStarted_Due()
    {
        Assert.Equal(Day, SpeedTestScheduleRule.DueDay(At0330, null, On(Day, 3, 31)));
    }

    [Fact]
    public void DueDay_WindowAcrossMidnight_TheDayItOpened()
    {
        var at2330 = new TimeOnly(23, 30);

        Assert.Equal(Day, SpeedTestScheduleRule.DueDay(at2330, null, On(Day.AddDays(1), 0, 10)));
        Assert.Null(SpeedTestScheduleRule.DueDay(at2330, Day, On(Day.AddDays(1), 0, 10)));
        Assert.Null(SpeedTestScheduleRule.DueDay(at2330, null, On(Day.AddDays(1), 0, 30)));
    }
}
