using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Doctor;
using Fleet.Contracts.Rest;
using Fleet.Web.Doctor;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>
/// The Doctor panel's door to a link's daily speed test: sets and clears it through <see cref="SpeedTestScheduleCommands"/>
/// (the command behind <c>PUT</c> and <c>DELETE /api/v1/links/{id}/speed-test-schedule</c>, which checks the operator
/// role, validates and audits) and reads it as REST shows it.
/// </summary>
public sealed class DashboardSpeedTestSchedule(FleetDbContext db, SpeedTestScheduleCommands commands, IHttpContextAccessor http) : ILinkSpeedTestSchedule
{
    public async Task<SpeedTestScheduleDto?> GetAsync(Guid linkId, CancellationToken cancellationToken)
    {
        var schedule = await db.SpeedTestSchedules.AsNoTracking().SingleOrDefaultAsync(s => s.LinkId == linkId, cancellationToken);
        return schedule is null ? null : SpeedTestSchedulesApi.ToDto(schedule);
    }

    public async Task<ScheduleChange> SetAsync(Guid linkId, string? dailyAtUtc, int? maxMbitPerPath, CancellationToken cancellationToken) =>
        Change(await commands.SetAsync(Current(), linkId, new SpeedTestScheduleRequest { DailyAtUtc = dailyAtUtc ?? "", MaxMbitPerPath = maxMbitPerPath }, cancellationToken), cleared: false);

    public async Task<ScheduleChange> ClearAsync(Guid linkId, CancellationToken cancellationToken) =>
        Change(await commands.DeleteAsync(Current(), linkId, cancellationToken), cleared: true);

    private Caller Current() => Caller.Of(http.HttpContext?.User ?? new ClaimsPrincipal());

    private static ScheduleChange Change(CommandResult<SpeedTestScheduleEntity> result, bool cleared)
    {
        if (result.Value is { } schedule)
        {
            return new ScheduleChange(cleared ? null : SpeedTestSchedulesApi.ToDto(schedule), null);
        }

        // The form's one field is the time: its error reads as REST words it, without the field's wire name.
        var error = result.Refusal?.Detail ?? string.Join("; ", result.Errors!.SelectMany(e => e.Value.Select(m => e.Key == "dailyAtUtc" ? $"The time {m}" : $"{e.Key} {m}")));
        return new ScheduleChange(null, error);
    }
}
