using System.Globalization;
using Fleet.Contracts.Links.Kinds;

namespace Fleet.Contracts.Links.Validation;

public static partial class LinkSpecValidator
{
    /// <summary>Highest teql device index the agent will load <c>sch_teql</c> for (<c>max_equalizers</c>).</summary>
    public const int MaxTeqlIndex = 63;

    internal static void ValidateTeql(LinkSpec spec, SpecErrors errors)
    {
        // teql devices exist only as teql0..teqlN-1, created when sch_teql loads; the name picks one.
        if (spec.Name is not null && !IsTeqlName(spec.Name))
        {
            errors.Add("name", $"a teql link is named teql0..teql{MaxTeqlIndex}");
        }

        var members = spec.Members ?? [];
        for (var i = 0; i < members.Count; i++)
        {
            if (members[i] is { } member)
            {
                if (member.ProbeTarget is null)
                {
                    errors.Add($"members[{i}].probeTarget", "teql has no health of its own: give each member an address to probe through it");
                }
                else
                {
                    errors.IpAddress($"members[{i}].probeTarget", member.ProbeTarget);
                }
            }
        }

        if (spec.Teql is { } teql)
        {
            errors.Range(TeqlFields.ProbeIntervalMs, teql.ProbeIntervalMs, 100, 60_000, " ms");
            errors.Range(TeqlFields.DownAfterFailedProbes, teql.DownAfterFailedProbes, 1, 100);
        }
    }

    private static bool IsTeqlName(string name) =>
        name.StartsWith("teql", StringComparison.Ordinal)
        && name.Length is > 4 and <= 6
        && (name.Length == 5 || name[4] != '0')
        && int.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
        && index <= MaxTeqlIndex;
}
