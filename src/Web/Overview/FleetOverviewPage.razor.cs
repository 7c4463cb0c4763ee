using Fleet.Contracts.Links;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Overview;

/// <summary>Every host with its links, fleet totals on top; filtered and paged through the query string.</summary>
public partial class FleetOverviewPage
{
    private static readonly int[] s_pageSizes = [25, OverviewFilter.DefaultPageSize, 100, 250, OverviewFilter.MaxPageSize];

    /// <summary>Free-text search.</summary>
    [SupplyParameterFromQuery(Name = "q")]
    public string? Search { get; set; }

    /// <summary>Health filter (<c>healthy</c>, <c>degraded</c>, <c>down</c>, <c>unknown</c>).</summary>
    [SupplyParameterFromQuery(Name = "health")]
    public string? HealthKey { get; set; }

    /// <summary>Kind filter (<c>bond</c>, <c>teql</c>, <c>mptcp</c>, <c>striper</c>).</summary>
    [SupplyParameterFromQuery(Name = "kind")]
    public string? KindKey { get; set; }

    /// <summary>Label filter.</summary>
    [SupplyParameterFromQuery(Name = "label")]
    public string? Label { get; set; }

    /// <summary>Rollout filter (<c>in_progress</c>, <c>failed</c>).</summary>
    [SupplyParameterFromQuery(Name = "rollout")]
    public string? RolloutKey { get; set; }

    /// <summary>Order: <c>problems</c> (the default) or <c>name</c>.</summary>
    [SupplyParameterFromQuery(Name = "sort")]
    public string? SortKey { get; set; }

    /// <summary>1-based page.</summary>
    [SupplyParameterFromQuery(Name = "page")]
    public int? PageNumber { get; set; }

    /// <summary>Hosts per page.</summary>
    [SupplyParameterFromQuery(Name = "size")]
    public int? Size { get; set; }

    /// <summary>Row density: <c>compact</c> or <c>comfortable</c>; by default compact from pages of more than 100 hosts.</summary>
    [SupplyParameterFromQuery(Name = "density")]
    public string? DensityKey { get; set; }

    /// <summary>Pages larger than this are compact unless asked otherwise: a wall screen of 1,000 hosts.</summary>
    public const int CompactFromPageSize = 100;

    /// <summary>The module that keeps the page live (src/Web/Overview/FleetOverviewPage.razor.js).</summary>
    public const string LiveModule = App.ContentRoot + "Overview/FleetOverviewPage.razor.js";

    [Inject]
    private IFleetOverviewQuery Query { get; set; } = default!;

    [Inject]
    private ViewerTimeZone Zone { get; set; } = default!;

    private FleetOverview? Model { get; set; }

    private static IReadOnlyList<LinkHealth> HealthChoices { get; } = [LinkHealth.Healthy, LinkHealth.Degraded, LinkHealth.Down, LinkHealth.Unknown];

    private static IReadOnlyList<LinkKind> KindChoices { get; } = Enum.GetValues<LinkKind>();

    private static IReadOnlyList<int> PageSizes => s_pageSizes;

    private LinkHealth? HealthFilter => WireNames.Parse<LinkHealth>(HealthKey);

    private LinkKind? KindFilter => WireNames.Parse<LinkKind>(KindKey);

    private RolloutFilter? RolloutFilterValue => WireNames.Parse<RolloutFilter>(RolloutKey);

    private OverviewSort SortOrder => WireNames.Parse<OverviewSort>(SortKey) ?? OverviewSort.Problems;

    private int Page => Math.Max(1, PageNumber ?? 1);

    private int PageSize => Size is { } size && s_pageSizes.Contains(size) ? size : OverviewFilter.DefaultPageSize;

    private bool Compact => DensityKey switch
    {
        "compact" => true,
        "comfortable" => false,
        _ => PageSize > CompactFromPageSize,
    };

    private bool IsFiltered =>
        !string.IsNullOrWhiteSpace(Search) || HealthFilter is not null || KindFilter is not null || !string.IsNullOrEmpty(Label) || RolloutFilterValue is not null;

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        var filter = new OverviewFilter(
            string.IsNullOrWhiteSpace(Search) ? null : Search.Trim(),
            HealthFilter,
            KindFilter,
            string.IsNullOrEmpty(Label) ? null : Label,
            Page,
            PageSize,
            SortOrder,
            RolloutFilterValue);
        Model = await Query.GetOverviewAsync(filter, Aborted);
    }

    private static string Key<TEnum>(TEnum value)
        where TEnum : struct, Enum => WireNames.Of(value);

    private static int RowSpan(HostSummary host) => Math.Max(1, host.Links.Count);

    /// <summary>
    /// A total card coloured by its <paramref name="tone"/> only when it counts something: "0 Down" is good news, so its
    /// card and badge are neutral.
    /// </summary>
    private static string TotalClass(string tone, int count) => count > 0 ? $"total total--link total--{tone}" : "total total--link total--zero";

    /// <summary>The links a phone's one-line totals call problems: Down or Degraded (a failed rollout is Degraded).</summary>
    private static int ProblemCount(FleetTotals totals) => totals.LinksDown + totals.LinksDegraded;

    /// <summary>A total card's filter: the whole fleet narrowed to that health (the totals count the whole fleet).</summary>
    private static string HealthHref(LinkHealth health) => "/?health=" + Key(health);

    private static string RolloutHref(RolloutFilter rollout) => "/?rollout=" + Key(rollout);

    private static string? Current(bool current) => current ? "true" : null;

    private static string RolloutWords(RolloutFilter rollout) => rollout switch
    {
        RolloutFilter.InProgress => "a rollout in progress",
        RolloutFilter.Failed => "a failed rollout",
        _ => throw new ArgumentOutOfRangeException(nameof(rollout), rollout, "unknown rollout filter"),
    };

    /// <summary>How old the data was when rendered; the live module counts on from there (no clock shared with the browser).</summary>
    private static long AgeMilliseconds(FleetOverview model) => (long)Math.Max(0, (model.GeneratedAt - model.TakenAt).TotalMilliseconds);

    private static string HostHref(HostSummary host) => DashboardPaths.Host(host.Id);
}
