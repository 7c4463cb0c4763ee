using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Links.Validation;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Alerts;

/// <summary>
/// Changes people make to alerts: acknowledge an alert, create and delete silences (operator or admin). Each is
/// audited in its own transaction; REST is the door today, and the dashboard's Alerts page is meant to call the same.
/// </summary>
public sealed class AlertCommands(FleetDbContext db, AuditLog audit, TimeProvider time)
{
    /// <summary>Longest a silence may last.</summary>
    public static readonly TimeSpan MaxSilence = TimeSpan.FromDays(90);

    /// <summary>Acknowledges an alert (again: nothing changes); <paramref name="ifMatch"/>, when given, must be its current ETag.</summary>
    public async Task<CommandResult<AlertEntity>> AcknowledgeAsync(Caller caller, Guid id, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden("Acknowledging alerts needs the operator or admin role.");
        }

        var alert = await db.Alerts.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (alert is null)
        {
            return CommandRefusal.NotFound("The alert");
        }

        if (!string.IsNullOrWhiteSpace(ifMatch) && !ETags.Matches(ifMatch, AlertMapping.ETag(alert)))
        {
            return new CommandRefusal(RefusalKind.Stale, "The alert changed since it was read (If-Match does not match its ETag).", CurrentVersion: alert.Version);
        }

        if (alert.AcknowledgedBy is not null)
        {
            return alert;
        }

        var before = AlertMapping.ToDto(alert);
        alert.AcknowledgedBy = caller.Actor.Length > 200 ? caller.Actor[..200] : caller.Actor;
        alert.AcknowledgedAt = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);
        alert.Version++;
        audit.Record(caller.Actor, "alert.acknowledged", "alert", alert.Id, before, AlertMapping.ToDto(alert));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new CommandRefusal(RefusalKind.Stale, "The alert changed while it was being acknowledged (it resolved); read it again.");
        }

        return alert;
    }

    public async Task<CommandResult<AlertSilenceEntity>> CreateSilenceAsync(Caller caller, CreateAlertSilenceRequest request, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden("Silencing alerts needs the operator or admin role.");
        }

        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        var startsAt = request.StartsAt ?? now;
        if (request.HostId is null && request.LinkId is null && request.Rule is null)
        {
            errors["hostId"] = ["a silence needs a scope: hostId, linkId or rule (or several)"];
        }

        if (request.Member is { } member && (request.LinkId is null || !InterfaceName.IsValid(member)))
        {
            errors["member"] = ["must be a valid interface name, with linkId"];
        }

        if (request.Rule is { } rule && !Enum.IsDefined(rule))
        {
            errors["rule"] = ["is not a rule"];
        }

        if (request.EndsAt <= startsAt || request.EndsAt <= now)
        {
            errors["endsAt"] = ["must be in the future and after startsAt"];
        }
        else if (request.EndsAt - startsAt > MaxSilence)
        {
            errors["endsAt"] = [$"a silence lasts at most {MaxSilence.TotalDays:0} days"];
        }

        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > AlertSilenceEntity.ReasonMaxLength)
        {
            errors["reason"] = [$"is required, up to {AlertSilenceEntity.ReasonMaxLength} characters"];
        }

        if (request.HostId is { } hostId && !await db.Hosts.AnyAsync(h => h.Id == hostId, cancellationToken))
        {
            errors["hostId"] = ["no host has this id"];
        }

        if (request.LinkId is { } linkId)
        {
            var linkHost = await db.Links.Where(l => l.Id == linkId).Select(l => (Guid?)l.HostId).SingleOrDefaultAsync(cancellationToken);
            if (linkHost is null)
            {
                errors["linkId"] = ["no link has this id"];
            }
            else if (request.HostId is { } host && host != linkHost)
            {
                errors["linkId"] = ["is not a link of hostId"];
            }
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        var silence = new AlertSilenceEntity
        {
            Id = Guid.CreateVersion7(),
            HostId = request.HostId,
            LinkId = request.LinkId,
            Member = request.Member,
            Rule = request.Rule,
            StartsAt = UtcDateTimeConverter.ToStore(startsAt.UtcDateTime),
            EndsAt = UtcDateTimeConverter.ToStore(request.EndsAt.UtcDateTime),
            Author = caller.Actor.Length > 200 ? caller.Actor[..200] : caller.Actor,
            Reason = request.Reason.Trim(),
            CreatedAt = UtcDateTimeConverter.ToStore(now.UtcDateTime),
        };
        db.AlertSilences.Add(silence);
        audit.Record(caller.Actor, "alert_silence.created", "alert_silence", silence.Id, null, AlertMapping.ToDto(silence));
        await db.SaveChangesAsync(cancellationToken);
        return silence;
    }

    public async Task<CommandResult<AlertSilenceEntity>> DeleteSilenceAsync(Caller caller, Guid id, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return CommandRefusal.Forbidden("Deleting silences needs the operator or admin role.");
        }

        var silence = await db.AlertSilences.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (silence is null)
        {
            return CommandRefusal.NotFound("The silence");
        }

        db.AlertSilences.Remove(silence);
        audit.Record(caller.Actor, "alert_silence.deleted", "alert_silence", silence.Id, AlertMapping.ToDto(silence), null);
        await db.SaveChangesAsync(cancellationToken);
        return silence;
    }
}
