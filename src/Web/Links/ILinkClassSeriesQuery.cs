namespace Fleet.Web.Links;

/// <summary>
/// Reads a striper link's per-class series for its class charts (issue 13). Class samples are kept at agent
/// resolution only, so a series covers at most <see cref="MaxSpan"/>, whatever range the page shows.
/// </summary>
public interface ILinkClassSeriesQuery
{
    /// <summary>The longest span the class charts cover.</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromHours(1);

    /// <summary>One series per class with samples between <paramref name="from"/> and now, by class name.</summary>
    Task<IReadOnlyList<ClassSeries>> GetClassSeriesAsync(Guid linkId, DateTimeOffset from, CancellationToken cancellationToken);
}

/// <summary>One class's points, oldest first.</summary>
/// <param name="Action">The class's action at its latest point.</param>
public sealed record ClassSeries(string Class, string Action, IReadOnlyList<ClassSeriesPoint> Points);

/// <summary>One point of a class's series: rates over its interval.</summary>
/// <param name="OverheadPercent">Copies and parity bytes as a percentage of the class's bytes sent.</param>
/// <param name="LostPerSecond">Packets of FEC blocks neither received nor recovered, per second.</param>
/// <param name="RecoveredPerSecond">Packets recovered from parity, per second.</param>
public readonly record struct ClassSeriesPoint(
    DateTimeOffset Time,
    double TxBitsPerSecond,
    double RxBitsPerSecond,
    double OverheadPercent,
    double LostPerSecond,
    double RecoveredPerSecond);
