using Fleet.Contracts.Links;
using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Components;

/// <summary>A link's rollout phase as a labelled badge.</summary>
public partial class PhaseBadge
{
    /// <summary>The phase.</summary>
    [Parameter]
    public LinkPhase Phase { get; set; }

    private string Modifier => PhaseText.Modifier(Phase);

    private string Text => PhaseText.Label(Phase);
}

/// <summary>How phases read, shared by server markup and the live scripts (which receive the same names).</summary>
public static class PhaseText
{
    /// <summary>The phase as shown: <c>Pending</c>, <c>Applying</c>, <c>Applied</c>, <c>Failed</c>, <c>Rolled back</c>, <c>Drifted</c>.</summary>
    public static string Label(LinkPhase phase) => phase switch
    {
        LinkPhase.Pending => "Pending",
        LinkPhase.Applying => "Applying",
        LinkPhase.Applied => "Applied",
        LinkPhase.Failed => "Failed",
        LinkPhase.RolledBack => "Rolled back",
        LinkPhase.Drifted => "Drifted",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "not a phase"),
    };

    /// <summary>CSS modifier: busy, ok, bad or warn.</summary>
    public static string Modifier(LinkPhase phase) => phase switch
    {
        LinkPhase.Pending or LinkPhase.Applying => "busy",
        LinkPhase.Applied => "ok",
        LinkPhase.Failed or LinkPhase.RolledBack => "bad",
        LinkPhase.Drifted => "warn",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "not a phase"),
    };

    /// <summary>Whether the rollout is still moving (the page keeps listening).</summary>
    public static bool InProgress(LinkPhase phase) => phase is LinkPhase.Pending or LinkPhase.Applying;
}
