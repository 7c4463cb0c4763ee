namespace Fleet.Api.Doctor;

/// <summary>
/// When a link's daily speed test is due (docs/doctor.md, "Scheduled speed tests"): from its time of day for
/// <see cref="Window"/>, once per day. A start refused in the window (the agent offline, a test pending) is tried again
/// on the next tick until the window closes; a day whose window passed without a start is skipped, not made up later
/// (a test hours late would load the paths when the operator chose not to).
/// </summary>
public static class SpeedTestScheduleRule
{
    /// <summary>How long after its time a day's test may still start.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>The day (UTC) whose test is due at <paramref name="now"/>, or null when none is.</summary>
    /// <param name="dailyAtUtc">The schedule's time of day.</param>
    /// <param name="lastStartedOn">The day whose test started last.</param>
    /// <param name="now">The time.</param>
    public static DateOnly? DueDay(TimeOnly dailyAtUtc, DateOnly? lastStartedOn, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);

        // Yesterday too: a window that opens at 23:30 is still open at 00:10.
        foreach (var day in (ReadOnlySpan<DateOnly>)[today, today.AddDays(-1)])
        {
            var slot = SlotOf(day, dailyAtUtc);
            if (now >= slot && now < slot + Window)
            {
                return lastStartedOn >= day ? null : day;
            }
        }

        return null;
    }

    /// <summary>When the test of <paramref name="day"/> is due.</summary>
    public static DateTimeOffset SlotOf(DateOnly day, TimeOnly dailyAtUtc) => new(day.ToDateTime(dailyAtUtc), TimeSpan.Zero);
}
