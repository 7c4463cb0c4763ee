using Fleet.Contracts.Agents;
using Fleet.Contracts.Agents.Counters;
using Fleet.Contracts.Rest;

namespace Fleet.Api.Alerts.Rules;

/// <summary>
/// "A sample counter compared with a threshold": the condition of the built-in threshold rules (loss, RTT, reordering)
/// and of every custom rule, written once. Counted quantities (<see cref="CounterKind.Delta"/>: bytes, packets, drops,
/// errors) are compared per second of the sample's interval, so a threshold does not depend on the agent's sampling
/// interval; every other kind as the sample carries it. A sample older than the freshness limit the caller applies, or
/// one without the measurement (a backend that measures no RTT), holds nothing.
/// </summary>
public sealed record MetricCondition(MemberCounter Counter, AlertComparison Comparison, double Threshold)
{
    /// <summary>The counter's descriptor.</summary>
    public MemberCounterInfo Info => MemberCounterCatalog.Of(Counter);

    /// <summary>The member's value as the rule compares it, or null when the sample does not carry it.</summary>
    public double? ValueOf(MemberSample sample)
    {
        var info = Info;
        if (info.Value(sample) is not { } value)
        {
            return null;
        }

        return info.Kind switch
        {
            CounterKind.Delta => sample.IntervalMs > 0 ? value * 1000.0 / sample.IntervalMs : null,
            CounterKind.Level or CounterKind.Peak or CounterKind.Measured or CounterKind.Health => value,
            _ => throw new InvalidOperationException($"counter kind {info.Kind} is not known"),
        };
    }

    /// <summary>A link's value from its members' samples: counted quantities add up, other kinds take the largest (the worst member).</summary>
    public double? LinkValueOf(IEnumerable<MemberSample> samples)
    {
        double? combined = null;
        var sum = Info.Kind == CounterKind.Delta;
        foreach (var sample in samples)
        {
            if (ValueOf(sample) is { } value)
            {
                combined = combined is { } c ? (sum ? c + value : Math.Max(c, value)) : value;
            }
        }

        return combined;
    }

    /// <summary>Whether <paramref name="value"/> meets the condition.</summary>
    public bool Holds(double value) => Comparison switch
    {
        AlertComparison.Above => value > Threshold,
        AlertComparison.AtLeast => value >= Threshold,
        AlertComparison.Below => value < Threshold,
        AlertComparison.AtMost => value <= Threshold,
        _ => throw new ArgumentOutOfRangeException(nameof(value), Comparison, "unknown comparison"),
    };

    /// <summary>"lossPercent 7.5 > 5" for a summary.</summary>
    public string Describe(double value) => $"{Info.Name} {value:0.##} {Symbol(Comparison)} {Threshold:0.##}{(Info.Kind == CounterKind.Delta ? "/s" : "")}";

    /// <summary>The comparison as a symbol.</summary>
    public static string Symbol(AlertComparison comparison) => comparison switch
    {
        AlertComparison.Above => ">",
        AlertComparison.AtLeast => "≥",
        AlertComparison.Below => "<",
        AlertComparison.AtMost => "≤",
        _ => throw new ArgumentOutOfRangeException(nameof(comparison), comparison, "unknown comparison"),
    };
}
