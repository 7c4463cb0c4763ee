using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts.Rules;

/// <summary>
/// The rules over members' live samples, for one link: the built-in threshold rules (<c>loss_high</c>,
/// <c>latency_high</c>, <c>jitter_high</c>, <c>reorder_high</c>) and the custom rules, all through <see cref="MetricCondition"/>. Reads
/// each member's newest sample once per rule: O(members × rules) per evaluation over memory, no database.
/// A sample older than <see cref="AlertOptions.SampleMaxAge"/> judges nothing, and disabled members do not count. A
/// member that reports Down is left to <c>member_down</c> by the threshold rules (its loss is news of the same
/// outage); custom rules judge every enabled member's sample as it is.
/// </summary>
public static class MetricRules
{
    /// <summary>Adds the conditions that hold on <paramref name="link"/> through <paramref name="add"/>.</summary>
    public static void Evaluate(
        ObservedHost host, ObservedLink link, IReadOnlyList<CustomAlertRule> customRules, AlertOptions options, DateTimeOffset now, Action<AlertCondition> add)
    {
        var freshSince = now - options.SampleMaxAge;
        var where = $"{link.Name} on {host.Name}";
        foreach (var (rule, settings, counter) in options.Rules.Thresholds)
        {
            if (!settings.Enabled)
            {
                continue;
            }

            var condition = new MetricCondition(counter, AlertComparison.Above, settings.Threshold);
            foreach (var member in link.Members)
            {
                if (member.Health != MemberHealth.Down && Fresh(member, freshSince) is { } sample && condition.ValueOf(sample) is { } value && condition.Holds(value))
                {
                    add(new AlertCondition(new(rule, host.Id, link.Id, member.Interface), host.Name, link.Name,
                        $"Member {member.Interface} of {where}: {condition.Describe(value)}"));
                }
            }
        }

        if (!options.Rules.Custom.Enabled)
        {
            return;
        }

        foreach (var custom in customRules)
        {
            if (custom.Watches(host, link))
            {
                EvaluateCustom(custom, host, link, freshSince, where, add);
            }
        }
    }

    private static void EvaluateCustom(CustomAlertRule rule, ObservedHost host, ObservedLink link, DateTimeOffset freshSince, string where, Action<AlertCondition> add)
    {
        switch (rule.Subject)
        {
            case AlertRuleSubject.Member:
                foreach (var member in link.Members)
                {
                    if (Fresh(member, freshSince) is { } sample && rule.Condition.ValueOf(sample) is { } value && rule.Condition.Holds(value))
                    {
                        add(Custom(rule, host, link, member.Interface, $"{rule.Name}: member {member.Interface} of {where}: {rule.Condition.Describe(value)}"));
                    }
                }

                break;
            case AlertRuleSubject.Link:
                var samples = new List<MemberSample>(link.Members.Count);
                foreach (var member in link.Members)
                {
                    if (Fresh(member, freshSince) is { } sample)
                    {
                        samples.Add(sample);
                    }
                }

                if (rule.Condition.LinkValueOf(samples) is { } total && rule.Condition.Holds(total))
                {
                    add(Custom(rule, host, link, null, $"{rule.Name}: {where}: {rule.Condition.Describe(total)}"));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule.Subject, "unknown subject");
        }
    }

    private static AlertCondition Custom(CustomAlertRule rule, ObservedHost host, ObservedLink link, string? member, string summary) =>
        new(new AlertSubject(AlertRule.Custom, host.Id, link.Id, member, rule.Id), host.Name, link.Name, summary)
        {
            Severity = rule.Severity,
            For = rule.For,
            CustomRuleName = rule.Name,
        };

    private static MemberSample? Fresh(ObservedMember member, DateTimeOffset freshSince) =>
        member.AdminState != MemberAdminState.Disabled && member.Latest is { } sample && sample.Time >= freshSince ? sample : null;
}
