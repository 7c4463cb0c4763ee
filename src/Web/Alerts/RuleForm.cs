using System.Globalization;
using Fleet.Contracts.Rest;
using Fleet.Web.Formatting;

namespace Fleet.Web.Alerts;

/// <summary>
/// The Alerts page's form for a new custom rule, as posted (every field a string, so a typo comes back as a field error
/// rather than a binding failure). <see cref="ToDraft"/> parses what the browser cannot check; the rule's own
/// validation is <c>AlertRuleValidator</c>'s, behind the same command REST calls.
/// </summary>
public sealed class RuleForm
{
    public string? Name { get; set; }

    public string? Metric { get; set; }

    public string? Comparison { get; set; }

    public string? Threshold { get; set; }

    public string? ForSeconds { get; set; }

    public string? Subject { get; set; }

    public string? Scope { get; set; }

    /// <summary>Scope host: the host's name; link: <c>HOST/LINK</c>; labels: <c>key=value, key=value</c>; all: unused.</summary>
    public string? Target { get; set; }

    public string? Severity { get; set; }

    /// <summary>The draft, or the fields that do not parse (keyed by the REST field they stand for).</summary>
    public RuleDraft? ToDraft(out Dictionary<string, string[]> errors)
    {
        errors = [];
        var comparison = Enum<AlertComparison>(Comparison, "comparison", errors);
        var subject = Enum<AlertRuleSubject>(Subject, "subject", errors);
        var scope = Enum<AlertRuleScope>(Scope, "scope", errors);
        var severity = Enum<AlertSeverity>(Severity, "severity", errors);
        var threshold = Number(Threshold, "threshold", errors);
        var forSeconds = string.IsNullOrWhiteSpace(ForSeconds) ? 0 : Number(ForSeconds, "for", errors);
        IReadOnlyDictionary<string, string>? labels = null;
        var target = string.IsNullOrWhiteSpace(Target) ? null : Target.Trim();
        if (scope == AlertRuleScope.Labels)
        {
            labels = Labels(target, errors);
        }
        else if (scope is AlertRuleScope.Host or AlertRuleScope.Link && target is null)
        {
            errors["target"] = [scope == AlertRuleScope.Host ? "name the host" : "name the link as HOST/LINK"];
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return new RuleDraft(
            new AlertRuleRequest
            {
                Name = Name?.Trim(),
                Metric = Metric?.Trim(),
                Comparison = comparison,
                Threshold = threshold,
                For = forSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
                Subject = subject,
                Scope = scope,
                Labels = labels,
                Severity = severity,
            },
            scope is AlertRuleScope.Host or AlertRuleScope.Link ? target : null);
    }

    private static T? Enum<T>(string? value, string field, Dictionary<string, string[]> errors)
        where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (WireNames.Parse<T>(value.Trim()) is { } parsed)
        {
            return parsed;
        }

        errors[field] = [$"is not one of {string.Join(", ", WireNames.All<T>())}"];
        return null;
    }

    private static double? Number(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return number;
        }

        errors[field] = ["is not a number"];
        return null;
    }

    private static Dictionary<string, string>? Labels(string? value, Dictionary<string, string[]> errors)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !labels.TryAdd(pair[..equals].Trim(), pair[(equals + 1)..].Trim()))
            {
                errors["labels"] = [$"\"{pair}\" is not key=value, or repeats a key"];
                return null;
            }
        }

        if (labels.Count == 0)
        {
            errors["labels"] = ["give at least one key=value"];
            return null;
        }

        return labels;
    }
}

/// <summary>A new custom rule from the dashboard: the REST request, and for a host or link scope the name to resolve.</summary>
/// <param name="Request">The rule, without <see cref="AlertRuleRequest.HostId"/> or <see cref="AlertRuleRequest.LinkId"/>.</param>
/// <param name="Target">The host's name, or <c>HOST/LINK</c>; null for the other scopes.</param>
public sealed record RuleDraft(AlertRuleRequest Request, string? Target);
