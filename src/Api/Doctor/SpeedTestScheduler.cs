using Fleet.Api.Common;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Doctor;

/// <summary>
/// Starts the links' daily speed tests (docs/doctor.md, "Scheduled speed tests"): every <see cref="Interval"/> it starts
/// each test <see cref="SpeedTestScheduleRule"/> finds due through <see cref="SpeedTestCommands"/>, the command REST and
/// the dashboard use, as <see cref="Actor"/>. The day is claimed in the transaction that stores the test (the schedule's
/// concurrency token), so a day is tested once whatever the replicas or restarts. A refused start (the agent offline, a
/// test pending) is stored on the schedule, logged once per day and tried again on the next tick while the day's window
/// is open.
/// </summary>
public sealed partial class SpeedTestScheduler(
    IServiceScopeFactory scopes,
    DatabaseReadiness readiness,
    TimeProvider time,
    ILogger<SpeedTestScheduler> logger) : BackgroundService
{
    /// <summary>Who the scheduled tests are requested by (audit, <c>requestedBy</c>).</summary>
    public const string Actor = "system:speed-test-schedule";

    /// <summary>How often due tests are looked for: schedules are to the minute.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (readiness.Problem is not null)
                {
                    continue;
                }

                try
                {
                    await StartDueAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database may be away for a moment: the next tick tries again, within the day's window.
                    LogRoundFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round (the loop calls it; tests call it directly); returns how many tests started.</summary>
    internal async Task<int> StartDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        List<(Guid LinkId, DateOnly Day)> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FleetDbContext>();
            var schedules = await db.SpeedTestSchedules.AsNoTracking()
                .Where(s => db.Links.Any(l => l.Id == s.LinkId && l.DeletedAt == null))
                .Select(s => new { s.LinkId, s.DailyAtUtc, s.LastStartedOn })
                .ToListAsync(cancellationToken);
            due = [.. schedules
                .Select(s => (s.LinkId, Day: SpeedTestScheduleRule.DueDay(s.DailyAtUtc, s.LastStartedOn, now)))
                .Where(s => s.Day is not null)
                .Select(s => (s.LinkId, s.Day!.Value))];
        }

        var started = 0;
        foreach (var (linkId, day) in due)
        {
            started += await StartAsync(linkId, day, now, cancellationToken) ? 1 : 0;
        }

        return started;
    }

    /// <summary>Starts the test of <paramref name="day"/>, or records why it could not start.</summary>
    private async Task<bool> StartAsync(Guid linkId, DateOnly day, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A scope per link: a start that fails leaves nothing tracked for the next one.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FleetDbContext>();
        var schedule = await db.SpeedTestSchedules.SingleOrDefaultAsync(s => s.LinkId == linkId, cancellationToken);
        if (schedule is null || SpeedTestScheduleRule.DueDay(schedule.DailyAtUtc, schedule.LastStartedOn, now) != day)
        {
            return false;
        }

        // The claim rides in the command's transaction (same scoped context): the test, its audit entry and the day are
        // stored together, and a replica that claimed the day first makes this save fail on the concurrency token.
        var previous = schedule.LastStartedOn;
        schedule.LastStartedOn = day;
        CommandResult<SpeedTestEntity> result;
        try
        {
            var commands = scope.ServiceProvider.GetRequiredService<SpeedTestCommands>();
            result = await commands.StartAsync(Caller.System(Actor), linkId, new StartSpeedTestRequest { MaxMbitPerPath = schedule.MaxMbitPerPath }, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            LogClaimedElsewhere(linkId, day);
            return false;
        }

        if (result.Value is { } test)
        {
            LogStarted(linkId, day, test.Id);
            return true;
        }

        var why = result.Refusal?.Detail ?? string.Join("; ", result.Errors!.SelectMany(e => e.Value.Select(m => $"{e.Key} {m}")));
        why = why.Length > SpeedTestScheduleEntity.RefusalMaxLength ? why[..SpeedTestScheduleEntity.RefusalMaxLength] : why;
        var firstToday = schedule.LastRefusedAt is not { } refusedAt || refusedAt < SpeedTestScheduleRule.SlotOf(day, schedule.DailyAtUtc).UtcDateTime;

        // Written past the tracker: a refused start may have left the command's entities in it. Nothing is written when
        // another replica started the day's test meanwhile (its claim stands).
        var refusedAtNow = now.UtcDateTime;
        var recorded = await db.SpeedTestSchedules
            .Where(s => s.LinkId == linkId && s.LastStartedOn == previous)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.LastRefusal, why).SetProperty(s => s.LastRefusedAt, refusedAtNow), cancellationToken);
        if (recorded == 0)
        {
            return false;
        }

        if (firstToday)
        {
            LogRefused(linkId, day, why);
        }

        return false;
    }

    [LoggerMessage(EventId = 3501, Level = LogLevel.Information, Message = "Scheduled speed test {TestId} of link {LinkId} for {Day} started")]
    private partial void LogStarted(Guid linkId, DateOnly day, Guid testId);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Warning, Message = "Scheduled speed test of link {LinkId} for {Day} could not start: {Reason}; trying again each minute in its window")]
    private partial void LogRefused(Guid linkId, DateOnly day, string reason);

    [LoggerMessage(EventId = 3503, Level = LogLevel.Debug, Message = "Scheduled speed test of link {LinkId} for {Day} was started by another replica")]
    private partial void LogClaimedElsewhere(Guid linkId, DateOnly day);

    [LoggerMessage(EventId = 3504, Level = LogLevel.Warning, Message = "Starting scheduled speed tests failed")]
    private partial void LogRoundFailed(Exception exception);
}
