using System.Globalization;
using Fleet.Contracts.Links;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies;

/// <summary>
/// One line per part of a traffic class for the policy editor's class table (issue 13): what it matches and what it
/// does. The JSON beside the table stays the way to edit them.
/// </summary>
public static class ClassSummary
{
    /// <summary><c>udp · dst port 5060 · dscp 46</c>; <c>every packet</c> for an empty match.</summary>
    public static string Match(TrafficMatch match)
    {
        ArgumentNullException.ThrowIfNull(match);
        var parts = new List<string>();
        if (match.Protocol is { } protocol)
        {
            parts.Add(protocol);
        }

        Add(parts, "from", match.SourcePrefixes);
        Add(parts, "to", match.DestinationPrefixes);
        Add(parts, "src port", match.SourcePorts);
        Add(parts, "dst port", match.DestinationPorts);
        Add(parts, "dscp", [.. match.Dscp.Select(d => d.ToString(CultureInfo.InvariantCulture))]);
        return parts.Count == 0 ? "every packet" : string.Join(" · ", parts);
    }

    /// <summary><c>fec, target 0.1 % loss, ≤ 40 ms</c>, <c>pin to eth1</c>, <c>duplicate ×2</c>, <c>stripe (round_robin)</c>; with the class's members when it names some.</summary>
    public static string Action(TrafficClassSpec trafficClass)
    {
        ArgumentNullException.ThrowIfNull(trafficClass);
        var action = trafficClass.Action switch
        {
            TrafficAction.Stripe => trafficClass.Stripe is { } stripe ? $"stripe ({WireNames.Of(stripe.Scheduler)})" : "stripe",
            TrafficAction.Pin => trafficClass.Pin?.Member is { } member ? $"pin to {member}" : "pin to the lowest-RTT member",
            TrafficAction.Duplicate => $"duplicate ×{trafficClass.Duplicate?.Copies ?? DuplicateClassOptions.DefaultCopies}",
            TrafficAction.Fec => string.Create(CultureInfo.InvariantCulture,
                $"fec, target {trafficClass.Fec?.TargetLossPercent ?? FecClassOptions.DefaultTargetLossPercent} % loss, ≤ {trafficClass.Fec?.MaxDelayMs ?? FecClassOptions.DefaultMaxDelayMs} ms"),
            _ => throw new ArgumentOutOfRangeException(nameof(trafficClass), trafficClass.Action, "unknown action"),
        };
        return trafficClass.Members.Count == 0 ? action : $"{action} on {string.Join(", ", trafficClass.Members)}";
    }

    private static void Add(List<string> parts, string label, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            parts.Add($"{label} {string.Join(", ", values)}");
        }
    }
}
