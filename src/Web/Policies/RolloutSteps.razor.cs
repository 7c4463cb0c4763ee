using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Web.Components;
using Fleet.Web.Formatting;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Policies;

/// <summary>
/// The policy editor's rollout steps: where the submitted generation stands, when each step was reached, the
/// countdown to the confirm timeout while the agent applies, and the outcome as its own word (docs/dashboard.md,
/// "Policy editor").
/// </summary>
public partial class RolloutSteps
{
    /// <summary>The rollout's phase now.</summary>
    [Parameter]
    public LinkPhase Phase { get; set; }

    /// <summary>When the rollout entered <see cref="Phase"/>.</summary>
    [Parameter]
    public DateTimeOffset? PhaseChangedAt { get; set; }

    /// <summary>How long the agent waits for the Api's confirmation before it rolls back by itself.</summary>
    [Parameter]
    public int ConfirmTimeoutSeconds { get; set; }

    /// <summary>The revision being rolled out: when it was stored, when its outcome came.</summary>
    [Parameter]
    public PolicyRevision? Submitted { get; set; }

    /// <summary>Step 0 pending, 1 applying, 2 an outcome.</summary>
    private int Reached => Phase switch
    {
        LinkPhase.Pending => 0,
        LinkPhase.Applying => 1,
        LinkPhase.Applied or LinkPhase.Failed or LinkPhase.RolledBack or LinkPhase.Drifted => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(Phase), Phase, null),
    };

    private DateTimeOffset? PendingAt => Submitted?.CreatedAt ?? (Reached == 0 ? PhaseChangedAt : null);

    private DateTimeOffset? ApplyingAt => Reached == 1 ? PhaseChangedAt : null;

    private DateTimeOffset? OutcomeAt => Reached == 2 ? Submitted?.OutcomeAt ?? PhaseChangedAt : null;

    /// <summary>Unix milliseconds the countdown runs from: while applying.</summary>
    private long? CountdownSince => Reached == 1 ? PhaseChangedAt?.ToUnixTimeMilliseconds() : null;

    private string? OutcomeKey => Reached == 2 ? WireNames.Of(Phase) : null;

    private string OutcomeText => Reached == 2 ? PhaseText.Label(Phase) : "Outcome";

    private string StateOf(int step) => step < Reached ? "done" : step == Reached ? "current" : "todo";

    /// <summary>A revision's outcome in words, for the history.</summary>
    public static string RevisionOutcomeText(PolicyOutcome outcome) => outcome switch
    {
        PolicyOutcome.Pending => "not reported yet",
        PolicyOutcome.Applied => "applied",
        PolicyOutcome.Failed => "failed",
        PolicyOutcome.RolledBack => "rolled back",
        PolicyOutcome.Superseded => "superseded",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
