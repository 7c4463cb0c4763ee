using Fleet.Contracts.Links;

namespace Fleet.Web.Links;

/// <summary>
/// The link page's chart panels: one per metric, one line per member on a shared Y scale (docs/dashboard.md, "Charts").
/// The keys are the panels' <c>data-metric</c>, which <c>LinkChartBoard.razor.js</c> draws on a canvas.
/// </summary>
public static class ChartMetrics
{
    /// <summary>The link's total transmit and receive rate, the sum of its members: the panel on top.</summary>
    public const string Total = "total";

    /// <summary>Each member's transmit rate.</summary>
    public const string Tx = "tx";

    /// <summary>Each member's receive rate.</summary>
    public const string Rx = "rx";

    /// <summary>Each member's dropped packets per second (transmit and receive).</summary>
    public const string Drops = "drops";

    /// <summary>Each member's deepest resequencing buffer: only the striper resequences.</summary>
    public const string Reorder = "reorder";

    /// <summary>Each member's round-trip time.</summary>
    public const string Rtt = "rtt";

    /// <summary>Each member's loss in percent.</summary>
    public const string Loss = "loss";

    private static readonly IReadOnlyList<string> s_withReorder = [Total, Tx, Rx, Drops, Reorder, Rtt, Loss];
    private static readonly IReadOnlyList<string> s_withoutReorder = [Total, Tx, Rx, Drops, Rtt, Loss];

    /// <summary>The panels a link of <paramref name="kind"/> shows, top first: a metric the kind never measures is not drawn.</summary>
    public static IReadOnlyList<string> For(LinkKind kind) => kind switch
    {
        LinkKind.Striper => s_withReorder,

        // The kernel's bonding and teql deliver in arrival order and MPTCP resequences inside TCP: no member ever
        // reports a reorder depth, and an always-zero panel would read as "no reordering".
        LinkKind.Bond or LinkKind.Teql or LinkKind.Mptcp => s_withoutReorder,

        // An aggregator's one member is its socket, carrying every site: each site's resequencing is on the site's link.
        LinkKind.Aggregator => s_withoutReorder,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
