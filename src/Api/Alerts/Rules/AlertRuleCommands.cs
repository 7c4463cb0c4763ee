using Fleet.Api.Audit;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Alerts.Rules;

/// <summary>
/// Custom alert rules (operator or admin): create, replace (with the ETag read before), delete. Each change is
/// audited (<c>alert_rule.created</c>, <c>alert_rule.updated</c>, <c>alert_rule.deleted</c>); the engine reads the
/// rules at its next evaluation. A deleted or narrowed rule's firing alerts resolve after the hold-down, as any
/// condition that cleared.
/// </summary>
public sealed class AlertRuleCommands(FleetDbContext db, AuditLog audit, TimeProvider time)
{
    private static readonly CommandRefusal s_notOperator = CommandRefusal.Forbidden("Changing alert rules needs the operator or admin role.");

    public async Task<CommandResult<AlertRuleEntity>> CreateAsync(Caller caller, AlertRuleRequest request, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return s_notOperator;
        }

        var errors = await AlertRuleValidator.ValidateAsync(db, request, null, cancellationToken);
        if (errors.Count > 0)
        {
            return errors;
        }

        var rule = new AlertRuleEntity { Id = Guid.CreateVersion7(), Name = "", Metric = "", UpdatedBy = "" };
        AlertRuleMapping.Apply(request, rule);
        Stamp(caller, rule);
        db.AlertRules.Add(rule);
        audit.Record(caller.Actor, "alert_rule.created", "alert_rule", rule.Id, null, AlertRuleMapping.ToDto(rule));
        return await SaveAsync(rule, cancellationToken);
    }

    public async Task<CommandResult<AlertRuleEntity>> ReplaceAsync(Caller caller, Guid id, string? ifMatch, AlertRuleRequest request, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return s_notOperator;
        }

        var rule = await db.AlertRules.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return CommandRefusal.NotFound("The alert rule");
        }

        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return new CommandRefusal(RefusalKind.PreconditionRequired, "Replacing a rule needs If-Match with the ETag it was read with.", CurrentVersion: rule.Version);
        }

        if (!ETags.Matches(ifMatch, AlertRuleMapping.ETag(rule)))
        {
            return Stale(rule);
        }

        var errors = await AlertRuleValidator.ValidateAsync(db, request, id, cancellationToken);
        if (errors.Count > 0)
        {
            return errors;
        }

        var before = AlertRuleMapping.ToDto(rule);
        AlertRuleMapping.Apply(request, rule);
        Stamp(caller, rule);
        rule.Version++;
        audit.Record(caller.Actor, "alert_rule.updated", "alert_rule", rule.Id, before, AlertRuleMapping.ToDto(rule));
        return await SaveAsync(rule, cancellationToken);
    }

    public async Task<CommandResult<AlertRuleEntity>> DeleteAsync(Caller caller, Guid id, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!caller.Has(FleetRole.Operator))
        {
            return s_notOperator;
        }

        var rule = await db.AlertRules.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return CommandRefusal.NotFound("The alert rule");
        }

        if (!string.IsNullOrWhiteSpace(ifMatch) && !ETags.Matches(ifMatch, AlertRuleMapping.ETag(rule)))
        {
            return Stale(rule);
        }

        db.AlertRules.Remove(rule);
        audit.Record(caller.Actor, "alert_rule.deleted", "alert_rule", rule.Id, AlertRuleMapping.ToDto(rule), null);
        return await SaveAsync(rule, cancellationToken);
    }

    private static CommandRefusal Stale(AlertRuleEntity rule) =>
        new(RefusalKind.Stale, "The rule changed since it was read (If-Match does not match its ETag).", CurrentVersion: rule.Version);

    private void Stamp(Caller caller, AlertRuleEntity rule)
    {
        rule.UpdatedBy = caller.Actor.Length > 200 ? caller.Actor[..200] : caller.Actor;
        rule.UpdatedAt = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime);
    }

    private Task<CommandResult<AlertRuleEntity>> SaveAsync(AlertRuleEntity rule, CancellationToken cancellationToken) =>
        NamedChangeSave.SaveAsync(db, rule, "rule", cancellationToken);
}
