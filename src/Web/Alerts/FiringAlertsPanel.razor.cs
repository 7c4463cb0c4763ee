using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Alerts;

/// <summary>The firing alerts of one host (<see cref="HostId"/>) or one link (<see cref="LinkId"/>), linked to the Alerts page.</summary>
public partial class FiringAlertsPanel
{
    /// <summary>The host whose alerts to show (with <see cref="LinkId"/> null).</summary>
    [Parameter]
    public Guid? HostId { get; set; }

    /// <summary>The link whose alerts to show.</summary>
    [Parameter]
    public Guid? LinkId { get; set; }

    [CascadingParameter]
    private HttpContext? HttpContext { get; set; }

    [Inject]
    private IAlertQuery Query { get; set; } = default!;

    private IReadOnlyList<AlertRow> Firing { get; set; } = [];

    private string AlertsHref => LinkId is { } link ? $"{DashboardPaths.Alerts}?link={link}" : $"{DashboardPaths.Alerts}?host={HostId}";

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync() =>
        Firing = LinkId is null && HostId is null
            ? []
            : await Query.GetFiringAsync(LinkId is null ? HostId : null, LinkId, HttpContext?.RequestAborted ?? CancellationToken.None);
}
