using System.Globalization;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts.Caps;

/// <summary>
/// The data cap rules (docs/alerts.md, "Data caps"): one alert per capped member at the highest level its usage reached
/// in the current cycle: <c>data_cap_warning</c> (75 % by default), <c>data_cap_critical</c> (95 %),
/// <c>data_cap_exhausted</c> (100 %). The levels exclude each other, so a member climbing through them raises one alert
/// at a time, and a new cycle (usage back to 0) resolves it.
/// </summary>
public static class DataCapRules
{
    /// <summary>Adds the condition of each capped member whose usage reached a level through <paramref name="add"/>.</summary>
    public static void Evaluate(IReadOnlyList<CapUsage> usage, IReadOnlyDictionary<Guid, ObservedHost> hosts, AlertOptions options, Action<AlertCondition> add)
    {
        foreach (var member in usage)
        {
            if (!hosts.TryGetValue(member.HostId, out var host) || Level(member.Percent, options) is not { } rule)
            {
                continue;
            }

            var summary = string.Create(CultureInfo.InvariantCulture,
                $"Member {member.Member} of {member.LinkName} on {host.Name} has used {member.Percent:0.#} % of its data cap ({member.UsedBytes} of {member.Cap.Bytes} bytes since {member.CycleStart:yyyy-MM-dd})");
            add(new AlertCondition(new AlertSubject(rule, member.HostId, member.LinkId, member.Member), host.Name, member.LinkName, summary));
        }
    }

    /// <summary>
    /// The highest <em>enabled</em> level <paramref name="percent"/> reached, or null below the lowest: with a level
    /// turned off, the one below it keeps firing (a member at 97 % with <c>data_cap_critical</c> off is still at 75 %).
    /// </summary>
    public static AlertRule? Level(double percent, AlertOptions options)
    {
        (AlertRule Rule, double Threshold)[] levels =
        [
            (AlertRule.DataCapExhausted, 100),
            (AlertRule.DataCapCritical, options.Rules.DataCapCritical.Threshold),
            (AlertRule.DataCapWarning, options.Rules.DataCapWarning.Threshold),
        ];
        foreach (var (rule, threshold) in levels)
        {
            if (percent >= threshold && options.IsEnabled(rule))
            {
                return rule;
            }
        }

        return null;
    }
}
