using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts.Receivers;

/// <summary>
/// Receivers made over REST (admin): create, replace (with the ETag read before), delete. Each change is audited
/// (<c>alert_receiver.created</c>, <c>.updated</c>, <c>.deleted</c>) without its secret, which is stored encrypted
/// (<see cref="AlertReceiverSecrets"/>). Configured receivers are not changed here. A deleted receiver's pending
/// notifications are abandoned: nobody is left to deliver them to.
/// </summary>
public sealed class AlertReceiverCommands(
    FleetDbContext db, AuditLog audit, AlertReceiverSecrets secrets, AlertReceiverDirectory directory, IOptions<AlertOptions> options, TimeProvider time)
{
    private static readonly CommandRefusal s_notAdmin = CommandRefusal.Forbidden("Changing alert receivers needs the admin role.");

    public async Task<CommandResult<AlertReceiverEntity>> CreateAsync(Caller caller, AlertReceiverRequest request, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Admin))
        {
            return s_notAdmin;
        }

        var errors = await AlertReceiverValidator.ValidateAsync(db, options.Value, request, null, cancellationToken);
        if (errors.Count > 0)
        {
            return errors;
        }

        var receiver = new AlertReceiverEntity { Id = Guid.CreateVersion7(), Name = request.Name!, Url = "", UpdatedBy = "" };
        Apply(caller, request, receiver);
        db.AlertReceivers.Add(receiver);
        audit.Record(caller.Actor, "alert_receiver.created", "alert_receiver", receiver.Id, null, AlertReceiverMapping.ForAudit(receiver));
        return await SaveAsync(receiver, cancellationToken);
    }

    public async Task<CommandResult<AlertReceiverEntity>> ReplaceAsync(
        Caller caller, string name, string? ifMatch, AlertReceiverRequest request, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Admin))
        {
            return s_notAdmin;
        }

        var receiver = await FindAsync(name, cancellationToken);
        if (receiver is null)
        {
            return NotFound(name);
        }

        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return new CommandRefusal(RefusalKind.PreconditionRequired, "Replacing a receiver needs If-Match with the ETag it was read with.", CurrentVersion: receiver.Version);
        }

        if (!ETags.Matches(ifMatch, AlertReceiverMapping.ETag(receiver)))
        {
            return Stale(receiver);
        }

        var errors = await AlertReceiverValidator.ValidateAsync(db, options.Value, request, receiver, cancellationToken);
        if (errors.Count > 0)
        {
            return errors;
        }

        var before = AlertReceiverMapping.ForAudit(receiver);
        Apply(caller, request, receiver);
        receiver.Version++;
        audit.Record(caller.Actor, "alert_receiver.updated", "alert_receiver", receiver.Id, before, AlertReceiverMapping.ForAudit(receiver));
        return await SaveAsync(receiver, cancellationToken);
    }

    public async Task<CommandResult<AlertReceiverEntity>> DeleteAsync(Caller caller, string name, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Admin))
        {
            return s_notAdmin;
        }

        var receiver = await FindAsync(name, cancellationToken);
        if (receiver is null)
        {
            return NotFound(name);
        }

        if (!string.IsNullOrWhiteSpace(ifMatch) && !ETags.Matches(ifMatch, AlertReceiverMapping.ETag(receiver)))
        {
            return Stale(receiver);
        }

        db.AlertReceivers.Remove(receiver);
        audit.Record(caller.Actor, "alert_receiver.deleted", "alert_receiver", receiver.Id, AlertReceiverMapping.ForAudit(receiver), null);

        // One transaction: a receiver gone with its pending notifications still pending would leave the dispatcher
        // retrying into nothing after a crash between the two writes.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await NamedChangeSave.SaveAsync(db, receiver, "receiver", cancellationToken);
        if (result.Value is null)
        {
            return result;
        }

        await db.AlertNotifications
            .Where(n => n.Receiver == name && n.State == AlertNotificationState.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.State, AlertNotificationState.Abandoned).SetProperty(n => n.LastError, "the receiver was deleted"), cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // After the commit: a read between an invalidation and the commit would cache the receiver again.
        directory.Invalidate();
        return result;
    }

    private Task<AlertReceiverEntity?> FindAsync(string name, CancellationToken cancellationToken) =>
        db.AlertReceivers.SingleOrDefaultAsync(r => r.Name == name, cancellationToken);

    private CommandRefusal NotFound(string name) => options.Value.Receivers.Any(r => r.Name == name)
        ? CommandRefusal.Conflict("This receiver is set in the Api's configuration (Fleet:Alerts:Receivers) and changes only there.")
        : CommandRefusal.NotFound("The alert receiver");

    private static CommandRefusal Stale(AlertReceiverEntity receiver) =>
        new(RefusalKind.Stale, "The receiver changed since it was read (If-Match does not match its ETag).", CurrentVersion: receiver.Version);

    private void Apply(Caller caller, AlertReceiverRequest request, AlertReceiverEntity receiver)
    {
        receiver.Kind = request.Kind!.Value;
        receiver.Url = request.Url!.OriginalString;
        receiver.MinSeverity = request.MinSeverity ?? AlertSeverity.Warning;
        receiver.ProtectedSecret = receiver.Kind switch
        {
            AlertReceiverKind.Webhook => request.Secret is { } secret ? secrets.Protect(secret) : receiver.ProtectedSecret,
            AlertReceiverKind.Alertmanager => null,
            _ => throw new ArgumentOutOfRangeException(nameof(request), receiver.Kind, "unknown receiver kind"),
        };
        receiver.UpdatedBy = caller.Actor.Length > 200 ? caller.Actor[..200] : caller.Actor;
        receiver.UpdatedAt = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);
    }

    private async Task<CommandResult<AlertReceiverEntity>> SaveAsync(AlertReceiverEntity receiver, CancellationToken cancellationToken)
    {
        var result = await NamedChangeSave.SaveAsync(db, receiver, "receiver", cancellationToken);
        if (result.Value is not null)
        {
            directory.Invalidate();
        }

        return result;
    }
}
