using Fleet.Contracts.Links;

namespace Fleet.Web.Links;

/// <summary>A member's health over a range as segments (the same rule as <c>wwwroot/js/health-strips.js</c> uses live).</summary>
public static class HealthTimeline
{
    /// <summary>One stretch of unchanged health, as fractions (0–1) of the range.</summary>
    public readonly record struct Segment(MemberHealth Health, DateTimeOffset Start, DateTimeOffset End, double Left, double Width);

    /// <summary>
    /// Segments between <paramref name="from"/> and <paramref name="to"/>. A point's health covers the interval that
    /// ends at its time (samples are stamped at the end of their interval); no data reads as Unknown.
    /// </summary>
    public static IReadOnlyList<Segment> Build(IReadOnlyList<SeriesPoint> points, DateTimeOffset from, DateTimeOffset to, TimeSpan resolution)
    {
        var span = (to - from).TotalMilliseconds;
        var segments = new List<Segment>();
        if (span <= 0 || points.Count == 0)
        {
            return segments;
        }

        DateTimeOffset? openStart = null;
        var openHealth = MemberHealth.Unknown;
        var openEnd = from;
        foreach (var point in points)
        {
            var start = point.Time - resolution;
            if (start < from)
            {
                start = from;
            }

            if (point.Time <= from || start >= to)
            {
                continue;
            }

            if (openStart is { } os && (point.Health != openHealth || start - openEnd > resolution))
            {
                segments.Add(Make(openHealth, os, openEnd));
                openStart = null;
            }

            if (openStart is null)
            {
                openStart = start;
                openHealth = point.Health;
            }

            openEnd = point.Time > to ? to : point.Time;
        }

        if (openStart is { } last)
        {
            segments.Add(Make(openHealth, last, openEnd));
        }

        return segments;

        Segment Make(MemberHealth health, DateTimeOffset start, DateTimeOffset end) =>
            new(health, start, end, (start - from).TotalMilliseconds / span, (end - start).TotalMilliseconds / span);
    }
}
