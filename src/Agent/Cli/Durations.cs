using System.CommandLine.Parsing;
using System.Globalization;

namespace Fleet.Agent.Cli;

/// <summary>Parses durations such as <c>500ms</c>, <c>1s</c>, <c>2m</c>, <c>1h</c> (or a TimeSpan, <c>00:00:01</c>).</summary>
public static class Durations
{
    /// <summary>Parses <paramref name="text"/>; null when it is not a duration.</summary>
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        (string Suffix, double Milliseconds)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];
        foreach (var (suffix, milliseconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && value >= 0 && double.IsFinite(value))
            {
                return TimeSpan.FromMilliseconds(value * milliseconds);
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero ? span : null;
    }

    /// <summary>A System.CommandLine parser for duration options.</summary>
    public static TimeSpan ParseArgument(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (Parse(text) is { } value)
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration (examples: 500ms, 1s, 2m, 1h)");
        return default;
    }
}
