using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Alerts;

/// <summary>The navigation's link to the Alerts page with the number of alerts firing in the fleet (none shown at zero).</summary>
public partial class AlertBadge
{
    [CascadingParameter]
    private HttpContext? HttpContext { get; set; }

    [Inject]
    private IAlertQuery Query { get; set; } = default!;

    private int Firing { get; set; }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() =>
        Firing = await Query.CountFiringAsync(HttpContext?.RequestAborted ?? CancellationToken.None);
}
