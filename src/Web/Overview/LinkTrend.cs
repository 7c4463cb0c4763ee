using System.Globalization;
using System.Text;
using Fleet.Contracts.Links;

namespace Fleet.Web.Overview;

/// <summary>
/// A link's last minutes on the overview row: its throughput per minute (the sparkline) and its health per minute
/// (the strip under the health badge), oldest first, one slot per whole minute; a slot without samples is null/Unknown.
/// </summary>
/// <param name="From">Start of the first slot.</param>
public sealed record LinkTrend(DateTimeOffset From, IReadOnlyList<double?> ThroughputBitsPerSecond, IReadOnlyList<LinkHealth> Health)
{
    /// <summary>How many minutes a trend covers.</summary>
    public const int Minutes = 15;

    /// <summary>Width of the sparkline's view box: one unit per slot gap.</summary>
    public const int SparkWidth = Minutes - 1;

    /// <summary>Height of the sparkline's view box.</summary>
    public const int SparkHeight = 10;

    /// <summary>Whether any slot has a sample.</summary>
    public bool HasData => ThroughputBitsPerSecond.Any(v => v is not null);

    /// <summary>The sparkline as SVG polyline points scaled to the trend's own peak; slots without samples are left out.</summary>
    public string SparkPoints()
    {
        var max = ThroughputBitsPerSecond.Max(v => v ?? 0);
        var points = new StringBuilder(ThroughputBitsPerSecond.Count * 8);
        for (var i = 0; i < ThroughputBitsPerSecond.Count; i++)
        {
            if (ThroughputBitsPerSecond[i] is not { } value)
            {
                continue;
            }

            var y = max <= 0 ? SparkHeight : SparkHeight - (value / max * (SparkHeight - 1));
            points.Append(CultureInfo.InvariantCulture, $"{i},{y:0.##} ");
        }

        return points.ToString().TrimEnd();
    }

    /// <summary>The health strip as one CSS gradient (one element per row, not one per minute: a page has 2,000 rows).</summary>
    public string HealthGradient()
    {
        var stops = new StringBuilder("background:linear-gradient(to right");
        var width = 100.0 / Health.Count;
        for (var i = 0; i < Health.Count; i++)
        {
            stops.Append(CultureInfo.InvariantCulture, $",var(--{Colour(Health[i])}) {i * width:0.##}% {(i + 1) * width:0.##}%");
        }

        return stops.Append(')').ToString();
    }

    /// <summary>The strip in words, for screen readers and the tooltip: the minutes of each health.</summary>
    public string HealthText()
    {
        var parts = Health.GroupBy(h => h).OrderByDescending(g => g.Count())
            .Select(g => $"{g.Key.ToString().ToLowerInvariant()} {g.Count()} min");
        return $"Last {Minutes} minutes: " + string.Join(", ", parts);
    }

    private static string Colour(LinkHealth health) => health switch
    {
        LinkHealth.Healthy => "ok",
        LinkHealth.Degraded => "warn",
        LinkHealth.Down => "bad",
        LinkHealth.Unknown => "unknown-bg",
        _ => throw new ArgumentOutOfRangeException(nameof(health), health, null),
    };
}
