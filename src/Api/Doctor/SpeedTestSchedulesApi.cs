using System.Globalization;
using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Doctor;

/// <summary>
/// REST for a link's daily speed test (docs/doctor.md, "Scheduled speed tests"): read it (viewer), set or remove it
/// (operator; <see cref="SpeedTestScheduleCommands"/>). <see cref="SpeedTestScheduler"/> starts the tests.
/// </summary>
public static class SpeedTestSchedulesApi
{
    public static RouteGroupBuilder MapSpeedTestSchedulesApi(this RouteGroupBuilder api)
    {
        var schedule = api.MapGroup("/links/{id:guid}/speed-test-schedule").WithTags("Doctor");
        schedule.MapGet("", GetAsync).WithName("GetLinkSpeedTestSchedule").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("The link's daily speed test: its time (UTC) and rate limit, the day of the last scheduled test that started, and why the last start was refused. 404 when the link has none.");
        schedule.MapPut("", SetAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("SetLinkSpeedTestSchedule").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .WithSummary("Test a striper link's paths daily at dailyAtUtc (HH:mm, UTC) with maxMbitPerPath (1–100000, default 100); a start refused (agent offline, test pending) is tried each minute for an hour. 409 for other kinds.");
        schedule.MapDelete("", DeleteAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("DeleteLinkSpeedTestSchedule").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("Stop the link's daily speed test; its tests stay in the history.");
        return api;
    }

    private static async Task<Results<Ok<SpeedTestScheduleDto>, ProblemHttpResult>> GetAsync(Guid id, FleetDbContext db, CancellationToken cancellationToken)
    {
        var schedule = await db.SpeedTestSchedules.AsNoTracking().SingleOrDefaultAsync(s => s.LinkId == id, cancellationToken);
        return schedule is null ? Problems.NotFound($"A speed test schedule of link {id}") : TypedResults.Ok(ToDto(schedule));
    }

    private static async Task<Results<Ok<SpeedTestScheduleDto>, ValidationProblem, ProblemHttpResult>> SetAsync(
        Guid id, SpeedTestScheduleRequest request, ClaimsPrincipal user, SpeedTestScheduleCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.SetAsync(Caller.Of(user), id, request, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return result.Value is { } schedule ? TypedResults.Ok(ToDto(schedule)) : result.Refusal!.ToProblem();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, ClaimsPrincipal user, SpeedTestScheduleCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.DeleteAsync(Caller.Of(user), id, cancellationToken);
        return result.Value is not null ? TypedResults.NoContent() : result.Refusal!.ToProblem();
    }

    internal static SpeedTestScheduleDto ToDto(SpeedTestScheduleEntity schedule) => new()
    {
        LinkId = schedule.LinkId,
        DailyAtUtc = schedule.DailyAtUtc.ToString("HH:mm", CultureInfo.InvariantCulture),
        MaxMbitPerPath = schedule.MaxMbitPerPath,
        UpdatedBy = schedule.UpdatedBy,
        UpdatedAt = new DateTimeOffset(schedule.UpdatedAt, TimeSpan.Zero),
        LastStartedOn = schedule.LastStartedOn,
        LastRefusal = schedule.LastRefusal,
        LastRefusedAt = schedule.LastRefusedAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null,
    };
}
