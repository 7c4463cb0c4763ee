using Fleet.Contracts.Rest;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web.Alerts;

/// <summary>
/// Alerts (issue 11): what fires now, the resolved history (paged), and the silences; filtered through the query
/// string. Operators acknowledge and silence here through <see cref="IAlertCommands"/> (the commands REST calls).
/// </summary>
public partial class AlertsPage
{
    /// <summary>The form name every action posts as (<c>_handler</c>); see the markup for why there is one.</summary>
    public const string CommandForm = "alert-command";

    /// <summary>The module that keeps the firing list and the header's count live.</summary>
    public const string LiveModule = App.ContentRoot + "Alerts/AlertsPage.razor.js";

    /// <summary>Silence durations offered, in hours.</summary>
    public static readonly int[] DurationHours = [1, 4, 24, 72, 168];

    /// <summary>Only this host's alerts.</summary>
    [SupplyParameterFromQuery(Name = "host")]
    public Guid? HostId { get; set; }

    /// <summary>Only this link's alerts.</summary>
    [SupplyParameterFromQuery(Name = "link")]
    public Guid? LinkId { get; set; }

    /// <summary><c>warning</c> or <c>critical</c>.</summary>
    [SupplyParameterFromQuery(Name = "severity")]
    public string? SeverityKey { get; set; }

    /// <summary>A rule's wire name (<c>member_down</c>).</summary>
    [SupplyParameterFromQuery(Name = "rule")]
    public string? RuleKey { get; set; }

    /// <summary>1-based page of the history.</summary>
    [SupplyParameterFromQuery(Name = "page")]
    public int? PageNumber { get; set; }

    /// <summary>What to do: <c>ack</c>, <c>silence</c>, <c>end-silence</c>, <c>create-rule</c>, <c>delete-rule</c>.</summary>
    [SupplyParameterFromForm]
    public string? Command { get; set; }

    /// <summary>The alert acknowledged or silenced.</summary>
    [SupplyParameterFromForm]
    public Guid? AlertId { get; set; }

    /// <summary>The silence ended.</summary>
    [SupplyParameterFromForm]
    public Guid? SilenceId { get; set; }

    /// <summary>A <see cref="SilenceScope"/>'s key.</summary>
    [SupplyParameterFromForm]
    public string? Scope { get; set; }

    /// <summary>How long the silence lasts, in hours.</summary>
    [SupplyParameterFromForm]
    public int? Hours { get; set; }

    /// <summary>Why (required).</summary>
    [SupplyParameterFromForm]
    public string? Reason { get; set; }

    /// <summary>The custom rule deleted.</summary>
    [SupplyParameterFromForm]
    public Guid? RuleId { get; set; }

    /// <summary>The new custom rule's form.</summary>
    [SupplyParameterFromForm(Name = "Rule")]
    public RuleForm? NewRule { get; set; }

    [Inject]
    private IAlertQuery Query { get; set; } = default!;

    [Inject]
    private IAlertCommands Commands { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private AlertsOverview? Model { get; set; }

    private IReadOnlyList<AlertRuleDto> RuleList { get; set; } = [];

    private AlertCommandResult? Result { get; set; }

    private string? Done { get; set; }

    private static IReadOnlyList<AlertSeverity> Severities { get; } = Enum.GetValues<AlertSeverity>();

    private static IReadOnlyList<AlertRule> Rules { get; } = Enum.GetValues<AlertRule>();

    private AlertSeverity? SeverityFilter => WireNames.Parse<AlertSeverity>(SeverityKey);

    private AlertRule? RuleFilter => WireNames.Parse<AlertRule>(RuleKey);

    private int Page => Math.Max(1, PageNumber ?? 1);

    private bool IsFiltered => SeverityFilter is not null || RuleFilter is not null || HostId is not null || LinkId is not null;

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() => Model = await LoadAsync();

    private async Task<AlertsOverview> LoadAsync()
    {
        RuleList = await Query.GetRulesAsync(Aborted);
        return await Query.GetAlertsAsync(new AlertFilter(HostId, LinkId, SeverityFilter, RuleFilter, Page), Aborted);
    }

    private async Task OnCommandAsync()
    {
        if (!CanOperate)
        {
            // The buttons are not rendered for a viewer and DashboardPostGuard refused the post already; the commands
            // check the role a third time.
            if (HttpContext is { Response.HasStarted: false } context)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
            }

            return;
        }

        Result = Command switch
        {
            "ack" when AlertId is { } id => await Commands.AcknowledgeAsync(id, Aborted),
            "silence" when AlertId is { } id => await SilenceAsync(id),
            "end-silence" when SilenceId is { } id => await Commands.DeleteSilenceAsync(id, Aborted),
            "create-rule" => await CreateRuleAsync(),
            "delete-rule" when RuleId is { } id => await Commands.DeleteRuleAsync(id, Aborted),
            _ => AlertCommandResult.Error("", "unknown action"),
        };
        Done = !Result.Succeeded ? null : Command switch
        {
            "ack" => "Alert acknowledged.",
            "silence" => "Silence created.",
            "end-silence" => "Silence ended.",
            "create-rule" => $"Rule {NewRule?.Name?.Trim()} created: it is evaluated from the next second.",
            "delete-rule" => "Rule deleted; its firing alerts resolve after the hold-down.",
            _ => null,
        };
        Model = await LoadAsync();
    }

    private async Task<AlertCommandResult> CreateRuleAsync()
    {
        var draft = (NewRule ?? new RuleForm()).ToDraft(out var errors);
        return draft is null ? new AlertCommandResult(errors) : await Commands.CreateRuleAsync(draft, Aborted);
    }

    private async Task<AlertCommandResult> SilenceAsync(Guid alertId)
    {
        var alert = Model?.Firing.FirstOrDefault(a => a.Id == alertId)
            ?? (await Query.GetFiringAsync(null, null, Aborted)).FirstOrDefault(a => a.Id == alertId);
        if (alert is null)
        {
            return AlertCommandResult.Error("", "This alert is no longer firing.");
        }

        if (SilenceScope.Find(alert, Scope) is not { } scope)
        {
            return AlertCommandResult.Error("scope", "is not one of this alert's scopes");
        }

        var hours = Hours is { } h && DurationHours.Contains(h) ? h : 0;
        if (hours == 0)
        {
            return AlertCommandResult.Error("hours", "is not one of the durations offered");
        }

        return await Commands.SilenceAsync(
            new SilenceRequest(scope.HostId, scope.LinkId, scope.Member, scope.Rule, TimeSpan.FromHours(hours), Reason?.Trim() ?? ""),
            Aborted);
    }

    private string HistoryHref(int page) => Navigation.GetUriWithQueryParameter("page", page);

    private static string Key(AlertSeverity severity) => WireNames.Of(severity);

    private static string Key(AlertRule rule) => WireNames.Of(rule);

    private static string FieldLabel(string field) => string.IsNullOrEmpty(field) ? "" : field + ": ";

    private static string DurationText(int hours) => hours switch
    {
        < 24 => $"{hours} hour{(hours == 1 ? "" : "s")}",
        _ => $"{hours / 24} day{(hours == 24 ? "" : "s")}",
    };

    private static string FormId(string what, Guid id) => $"{what}-{id:N}";
}
