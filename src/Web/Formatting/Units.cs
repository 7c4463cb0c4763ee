using System.Globalization;

namespace Fleet.Web.Formatting;

/// <summary>
/// Numbers formatted for people: rates with SI prefixes (network rates are decimal: 1 Mbit/s = 10^6 bit/s),
/// percentages and durations with the precision their size deserves. The same rules exist in
/// <c>wwwroot/js/units.js</c> for values the browser updates live; keep both in step (tests check both).
/// </summary>
public static class Units
{
    /// <summary>Shown where a value is not known (never "0", which would be a claim).</summary>
    public const string Unknown = "–";

    private static readonly string[] s_ratePrefixes = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s", "Pbit/s"];

    /// <summary><c>0 bit/s</c>, <c>950 bit/s</c>, <c>1.50 Mbit/s</c>, <c>12.3 Gbit/s</c>, <c>321 Mbit/s</c>.</summary>
    public static string BitsPerSecond(double? bitsPerSecond)
    {
        if (bitsPerSecond is not { } value || !double.IsFinite(value))
        {
            return Unknown;
        }

        var sign = value < 0 ? "-" : "";
        value = Math.Abs(value);
        var prefix = 0;
        while (value >= 999.5 && prefix < s_ratePrefixes.Length - 1)
        {
            value /= 1000;
            prefix++;
        }

        return sign + ThreeSignificant(value, prefix == 0) + " " + s_ratePrefixes[prefix];
    }

    /// <summary>Bytes counted over <paramref name="interval"/> as a bit rate.</summary>
    public static double RateFromBytes(long bytes, TimeSpan interval) =>
        interval <= TimeSpan.Zero ? 0 : bytes * 8 / interval.TotalSeconds;

    /// <summary><c>0 %</c>, <c>0.05 %</c>, <c>2.5 %</c>, <c>100 %</c>.</summary>
    public static string Percent(double? percent)
    {
        if (percent is not { } value || !double.IsFinite(value))
        {
            return Unknown;
        }

        if (value == 0)
        {
            return "0 %";
        }

        var text = Math.Abs(value) switch
        {
            < 0.01 => "<0.01",
            < 10 => Trim(value.ToString("0.00", CultureInfo.InvariantCulture)),
            < 100 => Trim(value.ToString("0.0", CultureInfo.InvariantCulture)),
            _ => value.ToString("0", CultureInfo.InvariantCulture),
        };
        return text + " %";
    }

    /// <summary><c>0.35 ms</c>, <c>12.4 ms</c>, <c>250 ms</c>, <c>1.25 s</c>.</summary>
    public static string Milliseconds(double? milliseconds)
    {
        if (milliseconds is not { } value || !double.IsFinite(value))
        {
            return Unknown;
        }

        if (Math.Abs(value) >= 1000)
        {
            return ThreeSignificant(value / 1000, integerExact: false) + " s";
        }

        return ThreeSignificant(value, integerExact: false) + " ms";
    }

    /// <summary>A count of packets or events: <c>0</c>, <c>17</c>, <c>1,234</c>, <c>2.1 M</c>.</summary>
    public static string Count(long? count)
    {
        if (count is not { } value)
        {
            return Unknown;
        }

        return Math.Abs(value) < 1_000_000
            ? value.ToString("#,0", CultureInfo.InvariantCulture)
            : ThreeSignificant(value / 1_000_000.0, integerExact: false) + " M";
    }

    /// <summary>A duration for people: <c>45 s</c>, <c>12 min</c>, <c>3 h 5 min</c>, <c>2 d 4 h</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = duration.Negate();
        }

        return duration.TotalSeconds switch
        {
            < 60 => $"{(int)duration.TotalSeconds} s",
            < 3600 => $"{(int)duration.TotalMinutes} min",
            < 86_400 => duration.Minutes == 0 ? $"{(int)duration.TotalHours} h" : $"{(int)duration.TotalHours} h {duration.Minutes} min",
            _ => duration.Hours == 0 ? $"{(int)duration.TotalDays} d" : $"{(int)duration.TotalDays} d {duration.Hours} h",
        };
    }

    private static string ThreeSignificant(double value, bool integerExact)
    {
        var abs = Math.Abs(value);
        if (integerExact || abs >= 100)
        {
            return Math.Round(value, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture);
        }

        var format = abs >= 10 ? "0.0" : "0.00";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Trim(string text) =>
        text.Contains('.', StringComparison.Ordinal) ? text.TrimEnd('0').TrimEnd('.') : text;
}
