using Bunit;
using Fleet.Contracts.Links;

namespace Fleet.Web.Components.Tests.Components;

/// <summary>What the phase badge shows for every rollout phase, and which phases keep the page listening.</summary>
public sealed class PhaseBadgeTests : BunitContext
{
    private static readonly Dictionary<LinkPhase, (string Modifier, string Text, bool InProgress)> s_expected = new()
    {
        [LinkPhase.Pending] = ("busy", "Pending", true),
        [LinkPhase.Applying] = ("busy", "Applying", true),
        [LinkPhase.Applied] = ("ok", "Applied", false),
        [LinkPhase.Failed] = ("bad", "Failed", false),
        [LinkPhase.RolledBack] = ("bad", "Rolled back", false),
        [LinkPhase.Drifted] = ("warn", "Drifted", false),
    };

    public static TheoryData<LinkPhase> Phases() => new(Enum.GetValues<LinkPhase>());

    [Fact]
    public void Expected_CoversEveryPhase()
    {
        Assert.Equal(Enum.GetValues<LinkPhase>().Order(), s_expected.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Phases))]
    public void Render_Phase_ShowsItsLabelAndModifier(LinkPhase phase)
    {
        var badge = Render<PhaseBadge>(p => p.Add(b => b.Phase, phase)).Find("[data-testid=phase]");

        var (modifier, text, _) = s_expected[phase];
        Assert.Equal(text, badge.TextContent);
        Assert.Contains($"phase--{modifier}", badge.ClassList);
        // The live scripts find the badge by the enum's name, which the hub sends.
        Assert.Equal(phase.ToString(), badge.GetAttribute("data-phase"));
    }

    [Theory]
    [MemberData(nameof(Phases))]
    public void InProgress_Phase_OnlyWhileTheRolloutMoves(LinkPhase phase)
    {
        Assert.Equal(s_expected[phase].InProgress, PhaseText.InProgress(phase));
    }
}
