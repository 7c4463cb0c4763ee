using Fleet.Contracts.Rest;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Alerts;

/// <summary>The Alerts page's receivers with their delivery state and log (docs/alerts.md, "Receivers").</summary>
public partial class AlertReceiversList
{
    /// <summary>Deliveries listed per receiver; REST pages through the rest.</summary>
    public const int DeliveriesShown = 20;

    private readonly Dictionary<string, IReadOnlyList<AlertDeliveryDto>> _deliveries = new(StringComparer.Ordinal);

    [Inject]
    private IAlertQuery Query { get; set; } = default!;

    [Inject]
    private ViewerTimeZone TimeZone { get; set; } = default!;

    private IReadOnlyList<AlertReceiverDto> Receivers { get; set; } = [];

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        Receivers = await Query.GetReceiversAsync(CancellationToken.None);
        foreach (var receiver in Receivers)
        {
            _deliveries[receiver.Name] = await Query.GetDeliveriesAsync(receiver.Name, DeliveriesShown, CancellationToken.None);
        }
    }

    private IReadOnlyList<AlertDeliveryDto> Deliveries(string receiver) => _deliveries.GetValueOrDefault(receiver) ?? [];

    private string When(DateTimeOffset? time) => time is { } t ? TimeZone.Format(t) : "";
}
