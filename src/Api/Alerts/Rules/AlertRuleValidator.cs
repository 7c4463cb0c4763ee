using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Hosts;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Alerts.Rules;

/// <summary>Checks a custom rule request and reports every field's error at once (REST's ProblemDetails <c>errors</c>).</summary>
public static class AlertRuleValidator
{
    /// <summary>Longest "for" a custom rule may have, as for the built-in rules.</summary>
    public static readonly TimeSpan MaxFor = TimeSpan.FromDays(1);

    public const int MaxLabels = 10;

    /// <summary>Field errors of <paramref name="request"/>; <paramref name="id"/> is the rule being replaced (its own name is no conflict).</summary>
    public static async Task<Dictionary<string, string[]>> ValidateAsync(FleetDbContext db, AlertRuleRequest request, Guid? id, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IsName(request.Name))
        {
            errors["name"] = [$"is required: 1–{AlertRuleEntity.NameMaxLength} of a–z, 0–9 and '_', starting with a letter"];
        }
        else if (Enum.GetValues<AlertRule>().Any(r => AlertRuleInfo.WireName(r) == request.Name))
        {
            errors["name"] = ["is a built-in rule's name"];
        }
        else if (await db.AlertRules.AnyAsync(r => r.Name == request.Name && r.Id != id, cancellationToken))
        {
            errors["name"] = ["another rule has this name"];
        }

        if (CustomAlertRule.CounterNamed(request.Metric) is not { } counter)
        {
            errors["metric"] = [$"must be one of {string.Join(", ", MemberCounterCatalog.All.Select(c => c.Name))}"];
        }
        else if (request.Threshold is { } threshold && double.IsFinite(threshold) && MemberCounterCatalog.Of(counter).Kind == CounterKind.Health
            && threshold is < (double)Contracts.Links.MemberHealth.Unknown or > (double)Contracts.Links.MemberHealth.Down)
        {
            errors["threshold"] = ["a health is compared as a number: unknown 0, up 1, degraded 2, down 3"];
        }

        if (request.Comparison is not { } comparison || !Enum.IsDefined(comparison))
        {
            errors["comparison"] = ["is required: above, at_least, below or at_most"];
        }

        if (request.Threshold is not { } value || !double.IsFinite(value))
        {
            errors["threshold"] = ["is required: a finite number"];
        }

        if (request.For is { } duration && (duration < TimeSpan.Zero || duration > MaxFor))
        {
            errors["for"] = [$"must be 00:00:00…{MaxFor:c}"];
        }

        if (request.Severity is { } severity && !Enum.IsDefined(severity))
        {
            errors["severity"] = ["must be warning or critical"];
        }

        if (request.Subject is { } subject && !Enum.IsDefined(subject))
        {
            errors["subject"] = ["must be member or link"];
        }

        await ValidateScopeAsync(db, request, errors, cancellationToken);
        return errors;
    }

    private static async Task ValidateScopeAsync(FleetDbContext db, AlertRuleRequest request, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        var scope = request.Scope ?? AlertRuleScope.All;
        if (!Enum.IsDefined(scope))
        {
            errors["scope"] = ["must be all, host, link or labels"];
            return;
        }

        if (scope == AlertRuleScope.Host
            ? request.HostId is not { } hostId || !await db.Hosts.AnyAsync(h => h.Id == hostId, cancellationToken)
            : request.HostId is not null)
        {
            errors["hostId"] = [scope == AlertRuleScope.Host ? "must name an existing host" : "is only for scope host"];
        }

        if (scope == AlertRuleScope.Link
            ? request.LinkId is not { } linkId || !await db.Links.AnyAsync(l => l.Id == linkId && l.DeletedAt == null, cancellationToken)
            : request.LinkId is not null)
        {
            errors["linkId"] = [scope == AlertRuleScope.Link ? "must name an existing link" : "is only for scope link"];
        }

        var labels = request.Labels ?? new Dictionary<string, string>();
        if (scope == AlertRuleScope.Labels
            ? labels.Count is 0 or > MaxLabels || labels.Any(l => !HostLabelRules.IsKey(l.Key) || !HostLabelRules.IsValue(l.Value))
            : labels.Count > 0)
        {
            errors["labels"] = [scope == AlertRuleScope.Labels
                ? $"1–{MaxLabels} labels: {HostLabelRules.Text}"
                : "are only for scope labels"];
        }
    }

    private static bool IsName(string? name) =>
        name is { Length: > 0 and <= AlertRuleEntity.NameMaxLength } && char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
