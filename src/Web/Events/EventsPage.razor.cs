using Fleet.Contracts.Agents;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Events;

/// <summary>
/// The event log, filtered through the query string and paged with a cursor. Its first page is a live tail: new events
/// appear at the top without a page load (<see cref="LiveModule"/>); an older page stays as it was read.
/// </summary>
public partial class EventsPage
{
    /// <summary>The script that keeps the first page live.</summary>
    public const string LiveModule = App.ContentRoot + "Events/EventsPage.razor.js";

    /// <summary>Only this host's events.</summary>
    [SupplyParameterFromQuery(Name = "host")]
    public Guid? HostId { get; set; }

    /// <summary>Only this link's events.</summary>
    [SupplyParameterFromQuery(Name = "link")]
    public Guid? LinkId { get; set; }

    /// <summary>Minimum severity (<c>info</c>, <c>warning</c>, <c>error</c>).</summary>
    [SupplyParameterFromQuery(Name = "severity")]
    public string? SeverityKey { get; set; }

    /// <summary>Event kind.</summary>
    [SupplyParameterFromQuery(Name = "kind")]
    public string? Kind { get; set; }

    /// <summary>Free-text search.</summary>
    [SupplyParameterFromQuery(Name = "q")]
    public string? Search { get; set; }

    /// <summary>Time range (<see cref="EventRanges"/>): <c>1h</c>, <c>24h</c>, <c>7d</c>, <c>30d</c>; all time when absent.</summary>
    [SupplyParameterFromQuery(Name = "range")]
    public string? RangeKey { get; set; }

    /// <summary>Cursor: events older than this one.</summary>
    [SupplyParameterFromQuery(Name = "before")]
    public Guid? Before { get; set; }

    /// <summary><c>problems</c>: the open problems (what is wrong now, as the events that opened it) instead of the log.</summary>
    [SupplyParameterFromQuery(Name = "view")]
    public string? View { get; set; }

    [Inject]
    private IEventQuery Query { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private TimeProvider Clock { get; set; } = default!;

    private EventPage? Page { get; set; }

    private IReadOnlyList<string> Kinds { get; set; } = [];

    private static IReadOnlyList<EventSeverity> Severities { get; } = Enum.GetValues<EventSeverity>();

    private EventSeverity? SeverityFilter => WireNames.Parse<EventSeverity>(SeverityKey);

    private TimeSpan? Range => EventRanges.Parse(RangeKey);

    private bool IsFiltered => SeverityFilter is not null || !string.IsNullOrEmpty(Kind) || !string.IsNullOrWhiteSpace(Search) || Range is not null;

    /// <summary>Only the newest events follow the fleet; a page further back would lose its place.</summary>
    private bool IsLive => Before is null;

    private bool ShowsProblems => View == "problems";

    private IReadOnlyList<EventRow>? Problems { get; set; }

    private string ViewHref(bool problems)
    {
        var parameters = new Dictionary<string, object?> { ["view"] = problems ? "problems" : null, ["before"] = null };
        return Navigation.GetUriWithQueryParameters(parameters);
    }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        Kinds = await Query.GetKindsAsync(Aborted);
        if (ShowsProblems)
        {
            Problems = await Query.GetOpenProblemsAsync(HostId, LinkId, Aborted);
            return;
        }

        var filter = new EventFilter(
            HostId,
            LinkId,
            SeverityFilter,
            string.IsNullOrEmpty(Kind) ? null : Kind,
            string.IsNullOrWhiteSpace(Search) ? null : Search.Trim(),
            Before,
            EventFilter.DefaultLimit,
            Range is { } range ? Clock.GetUtcNow() - range : null);
        Page = await Query.GetEventsAsync(filter, Aborted);
    }

    private static string Key(EventSeverity severity) => WireNames.Of(severity);

    private string OlderHref(Guid next) => Navigation.GetUriWithQueryParameter("before", next.ToString());
}
