using Bunit;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Rest;
using Fleet.Web.Policies;
using Fleet.Web.Settings;
using Fleet.Web.Tests.Policies;

namespace Fleet.Web.Components.Tests.Policies;

/// <summary>
/// Issue 19, the policy editor: the interface fields suggest the host's reported interfaces, each striper weight shows
/// its share, and the history carries each generation's change note and outcome.
/// </summary>
public sealed class PolicyEditorDetailsTests : PolicyEditorContext
{
    [Fact]
    public void Render_HostReportedInterfaces_InterfaceFieldsPickFromThem()
    {
        var page = RenderEditor(SpecSamples.Bond(), DashboardRoles.Operator, interfaces:
            [new InterfaceInventory("eth1", "ether", null, 1500, up: true, []), new InterfaceInventory("wwan0", "wwan", null, 1428, up: false, [])]);

        Assert.Equal(["eth1", "wwan0"], page.FindAll("datalist#host-interfaces option").Select(o => o.GetAttribute("value")));
        Assert.Equal("wwan · MTU 1428 · down", page.Find("datalist#host-interfaces option[value=wwan0]").TextContent);
        Assert.All(page.FindAll("input[name$='.Interface']"), input => Assert.Equal("host-interfaces", input.GetAttribute("list")));
    }

    [Fact]
    public void Render_HostNeverReported_PlainTextFields()
    {
        var page = RenderEditor(SpecSamples.Bond(), DashboardRoles.Operator);

        Assert.Empty(page.FindAll("datalist"));
        Assert.All(page.FindAll("input[name$='.Interface']"), input => Assert.False(input.HasAttribute("list")));
    }

    [Fact]
    public void Render_Striper_EachCarryingWeightShowsItsShare()
    {
        var page = RenderEditor(SpecSamples.Striper(), DashboardRoles.Operator);

        // eth1 weight 2 carries alone among the primaries; wwan0 is an overflow path and has no share.
        Assert.Equal("100 % of the traffic", page.Find("[data-testid=weight-share-0]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=weight-share-1]"));
    }

    [Fact]
    public void Render_History_NoteAndOutcomeOfEachGeneration()
    {
        var spec = SpecSamples.Bond();
        var page = RenderEditor(spec, DashboardRoles.Operator,
        [
            new PolicyRevision(3, spec, s_now, "alice") { Reason = "back to eth1\nNOC-12", Outcome = PolicyOutcome.Applied },
            new PolicyRevision(2, spec with { Mtu = 9000 }, s_now.AddMinutes(-5), "bob")
            {
                Outcome = PolicyOutcome.RolledBack, OutcomeMessage = "the agent lost the control plane", OutcomeAt = s_now.AddMinutes(-4),
            },
            new PolicyRevision(1, spec, s_now.AddMinutes(-9), "admin") { Outcome = PolicyOutcome.Applied },
        ]);

        Assert.Equal("back to eth1\nNOC-12", page.Find("[data-testid=note-3]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=note-2]"));
        Assert.Equal(["applied", "rolled back", "applied"], page.FindAll("[data-testid^=outcome-]").Select(o => o.TextContent));
        Assert.Contains("outcome--rolled_back", page.Find("[data-testid=outcome-2]").ClassName, StringComparison.Ordinal);
        Assert.Equal("the agent lost the control plane", page.Find(".history__outcome-message").TextContent);
    }
}
