using Bunit;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Links.Validation;
using Fleet.Testing.Kinds;
using Fleet.Web.Policies;
using Fleet.Web.Settings;

namespace Fleet.Web.Components.Tests.Policies.Kinds;

/// <summary>
/// Issue 15: a kind registered by a test (<see cref="FifthKind"/> and <see cref="FifthEditor"/>, nothing else) gets
/// its section and member column in the policy editor, round-trips through the form, has its errors shown next to
/// its fields and its facts in the summary.
/// </summary>
public sealed class FifthKindEditorTests : PolicyEditorContext
{
    public FifthKindEditorTests() => FifthEditor.Register();

    [Fact]
    public void Render_FifthKind_ShowsItsOwnSectionBetweenMembersAndLink()
    {
        var page = RenderEditor(FifthKind.Spec(), DashboardRoles.Operator);

        Assert.Equal(["Members", "Fifth", "Link"], page.FindAll("form.policy-form fieldset > legend:not(.visually-hidden)").Select(l => l.TextContent));
        Assert.Contains("fifth0 has no options", page.Find("[data-testid=fifth-section]").TextContent, StringComparison.Ordinal);
        Assert.Equal("fifth", page.Find("h1 .kind").TextContent);
    }

    [Fact]
    public void Render_FifthKind_MemberTableHasItsColumnAndTheDeviceFields()
    {
        var page = RenderEditor(FifthKind.Spec(), DashboardRoles.Operator);

        Assert.Equal(["Interface", "Admin state", "Own address", "Rate hint (bit/s)", "Lag hint (ms)", "Data cap (bytes per cycle, cycle day, at 100 %)", "Remove"],
            page.FindAll(".member-table thead th").Select(h => h.TextContent));
        Assert.Equal("192.0.2.2", page.Find("input[name='Form.Members[1].Address']").GetAttribute("value"));
        Assert.Single(page.FindAll("[name='Form.Addresses']"));
        Assert.Single(page.FindAll("[name='Form.Adopt']"));
    }

    [Fact]
    public void ToSpec_FifthKind_RoundTripsAndItsRuleReportsAtTheFieldTheColumnShows()
    {
        var spec = FifthKind.Spec();
        var form = PolicyForm.FromSpec(spec, 4);
        var errors = new List<ValidationError>();

        var roundTripped = form.ToSpec(spec, errors);

        // LinkSpecEquality compares JSON, and JSON knows only LinkKind's named values (a shipped kind's first step):
        // the kind is compared apart.
        Assert.Equal(FifthKind.Value, roundTripped.Kind);
        Assert.True(LinkSpecEquality.AreEquivalent(spec with { Kind = LinkKind.Bond }, roundTripped with { Kind = LinkKind.Bond }), "the fifth spec changed on the way through the form");
        Assert.Empty(errors);

        form.Members[1].Address = "";
        var edited = form.ToSpec(spec, errors);

        var error = Assert.Single(LinkSpecValidator.Validate(edited));
        Assert.Equal(PolicyPaths.MemberField(1, MemberFields.Address), error.Path);
        Assert.Equal(FifthKind.AddressRequired, error.Message);
    }

    [Fact]
    public void Facts_FifthKind_HasItsOwnFactsAndTheDevicesAddressing()
    {
        var facts = SpecSummary.Facts(FifthKind.Spec()).ToList();

        Assert.Contains(("Member addresses", "eth1 192.0.2.1, eth2 192.0.2.2"), facts);
        Assert.Contains(("Addresses", "10.5.0.1/30"), facts);
        Assert.Equal("Members", facts[0].Name);
    }
}
