using System.Text.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Web.Formatting;
using Fleet.Web.Policies;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Links;

/// <summary>
/// One link: members now (a striper member's tier and why it carries no traffic too), the charts over a selectable
/// range above the rollout state and the spec (<see cref="LinkCharts"/>, streamed after the page on enhanced navigation), a
/// striper link's traffic class charts (<see cref="ClassCharts"/>), events.
/// </summary>
public partial class LinkPage
{
    /// <summary>The module that follows the rollout phase live.</summary>
    public const string RolloutModule = App.ContentRoot + "Links/LinkPage.razor.js";

    /// <summary>The link.</summary>
    [Parameter]
    public Guid LinkId { get; set; }

    /// <summary>The chart range: <c>live</c> (default), <c>1h</c>, <c>24h</c>, <c>7d</c>.</summary>
    [SupplyParameterFromQuery(Name = "range")]
    public string? RangeKey { get; set; }

    /// <summary>Of an aggregator link, the site whose charts the page shows (<c>?site=3</c>); null for the aggregator's.</summary>
    [SupplyParameterFromQuery(Name = "site")]
    public int? SiteId { get; set; }

    [Inject]
    private ILinkDetailsQuery Links { get; set; } = default!;

    private LinkDetails? Model { get; set; }

    private ChartRange Range => ChartRanges.Parse(RangeKey);

    private bool StreamCharts => EnhancedNavigation.IsEnhanced(HttpContext?.Request);

    private string HostHref => Model is null ? "/" : DashboardPaths.Host(Model.HostId);

    private string PolicyHref => DashboardPaths.Policy(LinkId);

    private string EventsHref => $"{DashboardPaths.Events}?link={LinkId}";

    private string KindKey => Model is null ? "" : WireNames.Of(Model.Kind);

    private IEnumerable<(string Name, string Value)> SpecFacts => Model is null ? [] : SpecSummary.Facts(Model.Spec);

    private string SpecJson => Model is null
        ? ""
        : SpecRedaction.Redact(JsonSerializer.SerializeToNode(Model.Spec, FleetJson.Options))!
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        Model = await Links.GetLinkAsync(LinkId, Aborted);
        if (Model is null)
        {
            SetNotFound();
        }
    }

    private bool IsStriper => Model?.Kind == LinkKind.Striper;

    private bool IsActiveBackup => Model?.Spec.Bond?.Mode == BondMode.ActiveBackup;

    private bool HasClasses => Model?.Spec.Striper?.Classes.Count > 0;

    private static string AdminKey(MemberAdminState state) => WireNames.Of(state);

    private static string TierKey(LinkTier? tier) => tier is { } t ? WireNames.Of(t) : "—";

    /// <summary>How a desired change ended without being in force, in words.</summary>
    private static string FailedPhaseText(LinkPhase phase) => phase switch
    {
        LinkPhase.Failed => "the agent could not apply it",
        LinkPhase.RolledBack => "the agent rolled it back",
        LinkPhase.Pending or LinkPhase.Applying or LinkPhase.Applied or LinkPhase.Drifted => WireNames.Of(phase),
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, null),
    };

    /// <summary>What the failed change would have changed against what runs ("members[1].interface eth2 → eth9"), the first few fields.</summary>
    private string FailedChangeText(FailedChange failed)
    {
        const int Shown = 5;
        var changes = SpecDiff.Compute(Model!.Spec, failed.Spec);
        if (changes.Count == 0)
        {
            return "nothing that shows in the spec";
        }

        var text = string.Join("; ", changes.Take(Shown).Select(c => $"{c.Path} {c.Before ?? "(none)"} → {c.After ?? "(none)"}"));
        return changes.Count > Shown ? $"{text}; and {changes.Count - Shown} more" : text;
    }

    /// <summary>Why a striper member carries no traffic: the agent's reason, "carrying traffic" when it has none, or unknown before a report.</summary>
    private static string IdleText(MemberStatus member) => member.Tier is null ? Units.Unknown : member.IdleReason ?? "carrying traffic";
}
