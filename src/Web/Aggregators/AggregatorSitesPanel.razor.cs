using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Web.Account;
using Fleet.Web.Formatting;
using Fleet.Web.Overview;
using Fleet.Web.Policies;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Aggregators;

/// <summary>
/// The link page's Sites of an aggregator link (issue 17): each site with its host, link, prefix, rollout and paths
/// up as its own agent reports them, and as the aggregator sees it (session and since when, paths up, throughput
/// received and sent); for an operator, a site added (host, link name, uplinks), changed (its uplinks) or removed in
/// one step through <see cref="IAggregatorSites"/>, which runs the commands REST runs, so both sides change together.
/// Hundreds of sites stay readable: problems first by default (or busiest first, or by id, <see cref="SiteOrder"/>), a
/// page at a time, and each row leads to the link page's charts of that site alone (<c>?site={id}</c>).
/// </summary>
public partial class AggregatorSitesPanel
{
    /// <summary>The add form's name (Blazor dispatches a post to the form of that name).</summary>
    public const string AddForm = "site-add";

    /// <summary>Sites per page.</summary>
    public const int PageSize = 25;

    /// <summary>The aggregator link.</summary>
    [Parameter]
    public Guid LinkId { get; set; }

    /// <summary>The site whose charts the page shows, marked in the list; null for none.</summary>
    [Parameter]
    public int? SelectedSite { get; set; }

    /// <summary>The order (<c>problems</c>, <c>throughput</c>, <c>id</c>).</summary>
    [SupplyParameterFromQuery(Name = "sites-sort")]
    public string? SortKey { get; set; }

    /// <summary>1-based page of the list.</summary>
    [SupplyParameterFromQuery(Name = "sites-page")]
    public int? PageNumber { get; set; }

    /// <summary>The edit form's name.</summary>
    public const string EditForm = "site-edit";

    /// <summary>The current request (static SSR always has one).</summary>
    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    /// <summary>The add form's fields.</summary>
    [SupplyParameterFromForm(FormName = AddForm)]
    public SiteForm? Site { get; set; }

    /// <summary>The edit form's fields.</summary>
    [SupplyParameterFromForm(FormName = EditForm)]
    public SiteEditForm? Edit { get; set; }

    [Inject]
    private IAggregatorSites Commands { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private IReadOnlyList<AggregatorSiteRow> Sites { get; set; } = [];

    /// <summary>The sites of the page shown, in the order chosen.</summary>
    private IReadOnlyList<AggregatorSiteRow> Shown { get; set; } = [];

    private SiteSort Sort => SiteOrder.Parse(SortKey);

    private int Page => Math.Max(1, PageNumber ?? 1);

    private int WithProblem { get; set; }

    private IReadOnlyList<SiteHostChoice> Hosts { get; set; } = [];

    private string? Message { get; set; }

    private bool Refused { get; set; }

    private bool EditRefused { get; set; }

    private bool CanOperate => HttpContext is { } context && DashboardUser.CanOperate(context.User);

    private CancellationToken Aborted => HttpContext?.RequestAborted ?? CancellationToken.None;

    /// <summary>The remove form of one site.</summary>
    public static string RemoveForm(int siteId) => $"site-remove-{siteId}";

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        Sites = await Commands.SitesAsync(LinkId, Aborted);
        Shown = [.. SiteOrder.Sort(Sites, Sort).Skip((Page - 1) * PageSize).Take(PageSize)];
        WithProblem = Sites.Count(s => SiteOrder.ProblemOf(s) != Problem.None);
        Hosts = CanOperate ? await Commands.CandidateHostsAsync(LinkId, Aborted) : [];
    }

    private string SortHref(SiteSort sort) => Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
    {
        ["sites-sort"] = sort == SiteSort.Problems ? null : SiteOrder.Key(sort),
        ["sites-page"] = null,
    });

    /// <summary>The link page with this site's charts (the list's order and page kept).</summary>
    private string ChartsHref(int siteId) => Navigation.GetUriWithQueryParameter("site", siteId);

    private static string ProblemKey(Problem problem) => problem switch
    {
        Problem.Down => "down",
        Problem.FailedRollout => "failed-rollout",
        Problem.Degraded => "degraded",
        Problem.Offline => "not-reported",
        Problem.None => "none",
        _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, null),
    };

    private async Task AddAsync()
    {
        if (!Allowed() || Site is not { } form)
        {
            return;
        }

        var interfaces = PolicyForm.SplitList(form.Interfaces);
        var change = await Commands.AddAsync(LinkId, form.HostId, form.Name?.Trim() ?? "", interfaces, Aborted);
        Show(change, $"Site {change.SiteId} added: its link rolls out on its host with commit-confirm, and the aggregator takes it live.");
        await LoadAsync();
    }

    private async Task EditAsync()
    {
        if (!Allowed() || Edit is not { } form)
        {
            return;
        }

        var change = await Commands.EditAsync(LinkId, form.SiteId, PolicyForm.SplitList(form.Interfaces), Aborted);
        Show(change, $"Site {form.SiteId} changed: its link rolls out on its host with commit-confirm, and the aggregator takes its new paths live.");
        EditRefused = Refused;
        await LoadAsync();
    }

    /// <summary>"1: site-a (eth1, wwan0)"; without the list when the site's link is missing.</summary>
    private static string SiteChoice(AggregatorSiteRow site) => site.Interfaces is { Count: > 0 } interfaces
        ? $"{site.SiteId}: {site.HostName ?? "missing host"} ({string.Join(", ", interfaces)})"
        : $"{site.SiteId}: {site.HostName ?? "missing host"}";

    private async Task RemoveAsync(int siteId)
    {
        if (!Allowed())
        {
            return;
        }

        var change = await Commands.RemoveAsync(LinkId, siteId, Aborted);
        Show(change, $"Site {siteId} removed: its link is torn down on its host and the aggregator drops its session.");
        await LoadAsync();
    }

    private bool Allowed()
    {
        if (CanOperate)
        {
            return true;
        }

        // The forms are not rendered for a viewer and DashboardPostGuard refused the post already; the commands check
        // the role a third time.
        if (HttpContext is { Response.HasStarted: false } context)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
        }

        return false;
    }

    private static MemberHealth SessionHealth(AggregatorSiteObservedDto seen) => seen.SessionEstablished switch
    {
        true => MemberHealth.Up,
        false => MemberHealth.Down,
        null => MemberHealth.Unknown,
    };

    private static string SessionText(AggregatorSiteObservedDto seen) => seen.SessionEstablished switch
    {
        true => "Established",
        false => "No session",
        null => "Unknown",
    };

    private static int PathsUp(AggregatorSiteObservedDto seen) => seen.Paths.Count(p => p.Health == MemberHealth.Up);

    /// <summary>Each path as the aggregator sees it: "path 0: up, 12.3 ms, 0 % loss".</summary>
    private static string PathsTitle(AggregatorSiteObservedDto seen) => string.Join("; ", seen.Paths.Select(p =>
        $"path {p.Index}: {p.Health.ToString().ToLowerInvariant()}, {Units.Milliseconds(p.RttMs)}, {Units.Percent(p.LossPercent)} loss"));

    private void Show(SiteChange change, string done)
    {
        Refused = change.Refusal is not null;
        Message = change.Refusal ?? done;
    }
}

/// <summary>The change-a-site form as posted.</summary>
public sealed class SiteEditForm
{
    /// <summary>The site changed.</summary>
    public int SiteId { get; set; }

    /// <summary>The site's uplinks, comma-separated, replacing its paths.</summary>
    public string? Interfaces { get; set; }
}

/// <summary>The add-a-site form as posted.</summary>
public sealed class SiteForm
{
    /// <summary>The site's host.</summary>
    public Guid HostId { get; set; }

    /// <summary>The site link's name on the host.</summary>
    public string? Name { get; set; }

    /// <summary>The uplinks, comma-separated.</summary>
    public string? Interfaces { get; set; }
}
