using Bunit;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Web.Settings;
using Fleet.Web.Tests.Policies;

namespace Fleet.Web.Components.Tests.Policies;

/// <summary>
/// Issue 12, from a finding to a change: the editor opened with <c>?fix=CODE&amp;member=M</c> applies that finding's
/// suggested change to the spec in force and goes straight to the review, whose apply is the usual commit-confirm.
/// </summary>
public sealed class PolicyEditorDoctorFixTests : PolicyEditorContext
{
    private static readonly Finding s_lossy = new("lossy_member", FindingSeverity.Warning, "wwan0", "wwan0 loses 5 % of its packets", "observed", "why",
        "Make wwan0 tier backup.", new SpecSuggestion { Tiers = new Dictionary<string, LinkTier>(StringComparer.Ordinal) { ["wwan0"] = LinkTier.Backup } });

    private static readonly Finding s_weights = new("capacity_mismatch", FindingSeverity.Warning, "eth1", "The weights do not match the measured capacities", "observed", "why",
        "Set the weights to the measured capacities: eth1 1, wwan0 6.", new SpecSuggestion { Weights = new Dictionary<string, double>(StringComparer.Ordinal) { ["eth1"] = 1, ["wwan0"] = 6 } });

    [Fact]
    public void Operator_FindingWithAChange_ReviewShowsOnlyThatChange_WithTheDoctorsNote()
    {
        Diagnoses.Findings = [s_weights, s_lossy];

        var page = RenderEditor(SpecSamples.Striper(), DashboardRoles.Operator, query: "fix=lossy_member&member=wwan0");

        Assert.NotNull(page.Find("[data-testid=review]"));
        var rows = page.FindAll("[data-testid=diff] tbody tr");
        var row = Assert.Single(rows);
        Assert.Equal(["members[1].tier", "overflow", "backup"], row.Children.Select(c => c.TextContent));
        Assert.Contains("Make wwan0 tier backup.", page.Find("[data-testid=notice]").TextContent, StringComparison.Ordinal);
        Assert.Equal("Doctor: wwan0 loses 5 % of its packets", page.Find("[data-testid=change-note]").TextContent);
        Assert.Equal("Apply generation 2", page.Find("[data-testid=apply]").TextContent);
    }

    [Fact]
    public void Operator_WeightsFinding_ReviewShowsEachWeight()
    {
        Diagnoses.Findings = [s_weights];

        var page = RenderEditor(SpecSamples.Striper(), DashboardRoles.Operator, query: "fix=capacity_mismatch&member=eth1");

        Assert.Equal(["members[0].weight 2 1", "members[1].weight 1 6"],
            page.FindAll("[data-testid=diff] tbody tr").Select(r => string.Join(" ", r.Children.Select(c => c.TextContent))));
    }

    [Fact]
    public void Operator_FindingGoneSinceThePanelShowedIt_SaysSoAndShowsTheCurrentPolicy()
    {
        Diagnoses.Findings = [s_weights];

        var page = RenderEditor(SpecSamples.Striper(), DashboardRoles.Operator, query: "fix=lossy_member&member=wwan0");

        Assert.Empty(page.FindAll("[data-testid=review]"));
        Assert.Contains("finds no lossy_member to change", page.Find("[data-testid=notice]").TextContent, StringComparison.Ordinal);
        Assert.Contains("notice--warn", page.Find("[data-testid=notice]").ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void Viewer_FixIgnored_NoForm()
    {
        Diagnoses.Findings = [s_lossy];

        var page = RenderEditor(SpecSamples.Striper(), DashboardRoles.Viewer, query: "fix=lossy_member&member=wwan0");

        Assert.Empty(page.FindAll("[data-testid=review]"));
        Assert.Empty(page.FindAll("[data-testid=notice]"));
    }
}
