using System.Globalization;
using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Doctor;

/// <summary>
/// Sets and removes a link's daily speed test (operator or admin; docs/doctor.md, "Scheduled speed tests"): the one
/// command behind <c>PUT</c> and <c>DELETE /api/v1/links/{id}/speed-test-schedule</c>. Each change is audited in its
/// transaction; <see cref="SpeedTestScheduler"/> starts the tests.
/// </summary>
public sealed class SpeedTestScheduleCommands(FleetDbContext db, AuditLog audit, TimeProvider time)
{
    public async Task<CommandResult<SpeedTestScheduleEntity>> SetAsync(Caller caller, Guid linkId, SpeedTestScheduleRequest request, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden("Scheduling speed tests needs the operator or admin role.");
        }

        var errors = new Dictionary<string, string[]>();
        if (!TimeOnly.TryParseExact(request.DailyAtUtc, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var dailyAt))
        {
            errors["dailyAtUtc"] = ["must be a time of day in UTC as HH:mm (00:00 to 23:59)"];
        }

        var mbit = request.MaxMbitPerPath ?? SpeedTestCommands.DefaultMaxMbitPerPath;
        if (SpeedTestCommands.MaxMbitError(mbit) is { } mbitError)
        {
            errors["maxMbitPerPath"] = [mbitError];
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        var link = await db.Links.AsNoTracking()
            .Where(l => l.Id == linkId && l.DeletedAt == null)
            .Select(l => new { l.Kind, l.Name })
            .SingleOrDefaultAsync(cancellationToken);
        if (link is null)
        {
            return CommandRefusal.NotFound($"Link {linkId}");
        }

        if (SpeedTestCommands.NotTestable(link.Name, link.Kind) is { } notTestable)
        {
            return notTestable;
        }

        var schedule = await db.SpeedTestSchedules.SingleOrDefaultAsync(s => s.LinkId == linkId, cancellationToken);
        var before = schedule is null ? null : AuditState(schedule);
        if (schedule is null)
        {
            schedule = new SpeedTestScheduleEntity { LinkId = linkId, UpdatedBy = "" };
            db.SpeedTestSchedules.Add(schedule);
        }

        schedule.DailyAtUtc = dailyAt;
        schedule.MaxMbitPerPath = mbit;
        schedule.UpdatedBy = Truncated(caller.Actor);
        schedule.UpdatedAt = time.GetUtcNow().UtcDateTime;
        audit.Record(caller.Actor, "link.speed_test_schedule.set", "link", linkId, before, AuditState(schedule));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex) || ex is DbUpdateConcurrencyException)
        {
            return CommandRefusal.Conflict("The link's schedule changed at the same moment; read it and try again.");
        }

        return schedule;
    }

    public async Task<CommandResult<SpeedTestScheduleEntity>> DeleteAsync(Caller caller, Guid linkId, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden("Scheduling speed tests needs the operator or admin role.");
        }

        var schedule = await db.SpeedTestSchedules.SingleOrDefaultAsync(s => s.LinkId == linkId, cancellationToken);
        if (schedule is null)
        {
            return CommandRefusal.NotFound($"A speed test schedule of link {linkId}");
        }

        db.SpeedTestSchedules.Remove(schedule);
        audit.Record(caller.Actor, "link.speed_test_schedule.deleted", "link", linkId, AuditState(schedule), null);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another request removed it, or the scheduler claimed its day meanwhile.
            return CommandRefusal.Conflict("The link's schedule changed at the same moment; read it and try again.");
        }

        return schedule;
    }

    private static object AuditState(SpeedTestScheduleEntity schedule) =>
        new { dailyAtUtc = schedule.DailyAtUtc.ToString("HH:mm", CultureInfo.InvariantCulture), maxMbitPerPath = schedule.MaxMbitPerPath };

    private static string Truncated(string actor) => actor.Length > 200 ? actor[..200] : actor;
}
