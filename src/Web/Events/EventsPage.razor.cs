using Fleet.Contracts.Agents;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Events;

/// <summary>The event log, filtered through the query string and paged with a cursor.</summary>
public partial class EventsPage
{
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

    /// <summary>Cursor: events older than this one.</summary>
    [SupplyParameterFromQuery(Name = "before")]
    public Guid? Before { get; set; }

    [Inject]
    private IEventQuery Query { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private EventPage? Page { get; set; }

    private IReadOnlyList<string> Kinds { get; set; } = [];

    private static IReadOnlyList<EventSeverity> Severities { get; } = Enum.GetValues<EventSeverity>();

    private EventSeverity? SeverityFilter => WireNames.Parse<EventSeverity>(SeverityKey);

    private bool IsFiltered => SeverityFilter is not null || !string.IsNullOrEmpty(Kind) || !string.IsNullOrWhiteSpace(Search);

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        Kinds = await Query.GetKindsAsync(Aborted);
        var filter = new EventFilter(
            HostId,
            LinkId,
            SeverityFilter,
            string.IsNullOrEmpty(Kind) ? null : Kind,
            string.IsNullOrWhiteSpace(Search) ? null : Search.Trim(),
            Before,
            EventFilter.DefaultLimit);
        Page = await Query.GetEventsAsync(filter, Aborted);
    }

    private static string Key(EventSeverity severity) => WireNames.Of(severity);

    private string OlderHref(Guid next) => Navigation.GetUriWithQueryParameter("before", next.ToString());
}
