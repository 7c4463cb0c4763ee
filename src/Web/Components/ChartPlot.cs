using System.Globalization;
using System.Text;

namespace Fleet.Web.Components;

/// <summary>One plot of a chart card (<see cref="PlotFigure"/>): its title, latest values and SVG lines.</summary>
/// <param name="Key">The metric's key (<c>data-metric</c>; <c>LinkChartBoard.razor.js</c> draws known keys on a canvas).</param>
/// <param name="Description">What the plot shows, for screen readers.</param>
public sealed record ChartPlot(string Key, string Title, IReadOnlyList<PlotValue> Values, IReadOnlyList<PlotLine> Lines, string Description)
{
    /// <summary>Width of the SVG's view box.</summary>
    public const int SvgWidth = 600;

    /// <summary>Height of the SVG's view box.</summary>
    public const int SvgHeight = 120;

    /// <summary>
    /// An SVG path of <paramref name="points"/> over [<paramref name="from"/>, <paramref name="to"/>], scaled so
    /// <paramref name="max"/> (plus a tenth) fills the height; a null or non-finite value breaks the line.
    /// </summary>
    public static string Path<T>(IReadOnlyList<T> points, Func<T, DateTimeOffset> time, Func<T, double?> value, DateTimeOffset from, DateTimeOffset to, double max)
    {
        var span = (to - from).TotalMilliseconds;
        if (points.Count == 0 || span <= 0)
        {
            return "";
        }

        max = max <= 0 ? 1 : max * 1.1;
        var path = new StringBuilder(points.Count * 14);
        var pen = 'M';
        foreach (var point in points)
        {
            if (value(point) is not { } v || !double.IsFinite(v))
            {
                pen = 'M';
                continue;
            }

            var x = (time(point) - from).TotalMilliseconds / span * SvgWidth;
            var y = SvgHeight - (v / max * SvgHeight);
            path.Append(pen).Append(x.ToString("0.#", CultureInfo.InvariantCulture)).Append(' ')
                .Append(y.ToString("0.#", CultureInfo.InvariantCulture)).Append(' ');
            pen = 'L';
        }

        return path.ToString();
    }
}

/// <summary>A plot's latest value as its caption shows it.</summary>
/// <param name="Key">The series (<c>tx</c>, <c>rx</c>, …): its colour unless <paramref name="Swatch"/> says otherwise.</param>
/// <param name="Swatch">The colour when it is not the series': a member's (<c>m0</c>…<c>m7</c>) in a panel of one line per member.</param>
/// <param name="Member">The member the value is of, in a panel of one line per member.</param>
public sealed record PlotValue(string Key, string Label, string Text, string? Swatch = null, string? Member = null);

/// <summary>One line of a plot.</summary>
/// <param name="Key">Its colour: a series' (<c>tx</c>, <c>rx</c>, …) or a member's (<c>m0</c>…<c>m7</c>).</param>
/// <param name="Path">The SVG path (<see cref="ChartPlot.Path"/>).</param>
/// <param name="Member">The member the line is of, in a panel of one line per member.</param>
public sealed record PlotLine(string Key, string Path, string? Member = null);
