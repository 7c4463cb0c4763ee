using Fleet.Contracts.Rest;
using Fleet.Web.Alerts;

namespace Fleet.Web.Components.Tests.Alerts;

/// <summary>A stored set of alerts and silences for the Alerts components, recording what they asked for; commands are refused loudly.</summary>
internal sealed class FakeAlerts : IAlertQuery, IAlertCommands
{
    public static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    public static readonly Guid HostId = Guid.Parse("0d4c3b7a-1111-4a53-9d3e-3e1b8d1f0a01");
    public static readonly Guid LinkId = Guid.Parse("0d4c3b7a-2222-4a53-9d3e-3e1b8d1f0a01");

    public List<AlertRow> Firing { get; } = [];

    public List<AlertRow> History { get; } = [];

    public int HistoryTotal { get; set; }

    public List<SilenceRow> Silences { get; } = [];

    public AlertFilter? Filter { get; private set; }

    public (Guid? HostId, Guid? LinkId)? FiringAskedFor { get; private set; }

    public static AlertRow MemberDown(string? acknowledgedBy = null) => new(
        Guid.NewGuid(), AlertRule.MemberDown, AlertSeverity.Warning, AlertStatus.Firing, HostId, "edge-1", LinkId, "bond0", "eth2",
        "bond0 on edge-1: member eth2 is down", Now.AddMinutes(-7), null, null, acknowledgedBy, acknowledgedBy is null ? null : Now.AddMinutes(-1));

    public static AlertRow LinkDown() => new(
        Guid.NewGuid(), AlertRule.LinkDown, AlertSeverity.Critical, AlertStatus.Firing, HostId, "edge-1", LinkId, "bond0", null,
        "bond0 on edge-1 is down", Now.AddMinutes(-2), null, null, null, null);

    public Task<AlertsOverview> GetAlertsAsync(AlertFilter filter, CancellationToken cancellationToken)
    {
        Filter = filter;
        return Task.FromResult(new AlertsOverview(Firing, History, HistoryTotal, Silences));
    }

    public Task<IReadOnlyList<AlertRow>> GetFiringAsync(Guid? hostId, Guid? linkId, CancellationToken cancellationToken)
    {
        FiringAskedFor = (hostId, linkId);
        return Task.FromResult<IReadOnlyList<AlertRow>>(Firing);
    }

    public Task<int> CountFiringAsync(CancellationToken cancellationToken) => Task.FromResult(Firing.Count);

    public List<AlertRuleDto> Rules { get; } =
    [
        new() { Name = "loss_high", BuiltIn = true, Rule = AlertRule.LossHigh, Enabled = true, Severity = AlertSeverity.Warning, For = TimeSpan.FromSeconds(30), Metric = "lossPercent", Comparison = AlertComparison.Above, Threshold = 5 },
        new()
        {
            Id = Guid.Parse("0d4c3b7a-3333-4a53-9d3e-3e1b8d1f0a03"), Name = "bond_slow", BuiltIn = false, Rule = AlertRule.Custom, Enabled = true, Severity = AlertSeverity.Critical,
            For = TimeSpan.FromMinutes(2), Metric = "txBytes", Comparison = AlertComparison.Below, Threshold = 1_000_000, Subject = AlertRuleSubject.Link, Scope = AlertRuleScope.All,
        },
    ];

    public Task<IReadOnlyList<AlertRuleDto>> GetRulesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AlertRuleDto>>(Rules);

    public List<AlertReceiverDto> Receivers { get; } = [];

    public Dictionary<string, List<AlertDeliveryDto>> Deliveries { get; } = [];

    public Task<IReadOnlyList<AlertReceiverDto>> GetReceiversAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AlertReceiverDto>>(Receivers);

    public Task<IReadOnlyList<AlertDeliveryDto>> GetDeliveriesAsync(string receiver, int count, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AlertDeliveryDto>>([.. Deliveries.GetValueOrDefault(receiver, []).Take(count)]);

    public Task<AlertCommandResult> AcknowledgeAsync(Guid alertId, CancellationToken cancellationToken) => throw new InvalidOperationException("rendering never acknowledges");

    public Task<AlertCommandResult> SilenceAsync(SilenceRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("rendering never silences");

    public Task<AlertCommandResult> DeleteSilenceAsync(Guid silenceId, CancellationToken cancellationToken) => throw new InvalidOperationException("rendering never ends a silence");

    public Task<AlertCommandResult> CreateRuleAsync(RuleDraft draft, CancellationToken cancellationToken) => throw new InvalidOperationException("rendering never creates a rule");

    public Task<AlertCommandResult> DeleteRuleAsync(Guid ruleId, CancellationToken cancellationToken) => throw new InvalidOperationException("rendering never deletes a rule");
}
