using AngleSharp.Dom;
using Bunit;
using Fleet.Web.Policies;

namespace Fleet.Web.Components.Tests.Policies;

/// <summary>
/// The policy editor's fields: label, hint and error messages wired for assistive technology (aria-invalid,
/// aria-describedby pointing at elements that exist), the posted name, and secrets never rendered back.
/// </summary>
public sealed class FormFieldTests : BunitContext
{
    [Fact]
    public void TextField_NoErrors_IsValidAndDescribedByItsHintOnly()
    {
        var field = Render<TextField>(p => p.Add(f => f.Form, new FakeErrorSource()).Add(f => f.Path, "bond.miimonMs")
            .Add(f => f.Name, "BondMiimonMs").Add(f => f.Label, "MII monitor interval (ms)").Add(f => f.Value, "100")
            .Add(f => f.Hint, "exclusive with the ARP monitor").Add(f => f.InputMode, "numeric"));

        var input = field.Find("input");
        Assert.Equal("Form.BondMiimonMs", input.GetAttribute("name"));
        Assert.Equal("100", input.GetAttribute("value"));
        Assert.Equal("text", input.GetAttribute("type"));
        Assert.Equal("numeric", input.GetAttribute("inputmode"));
        Assert.Equal("MII monitor interval (ms)", field.Find($"label[for='{input.Id}']").TextContent);
        Assert.Null(input.GetAttribute("aria-invalid"));
        Assert.Empty(field.FindAll("[data-testid=field-error]"));
        Assert.Equal("exclusive with the ARP monitor", DescriptionsOf(field, input));
    }

    [Fact]
    public void TextField_ErrorAtItsPath_IsInvalidAndDescribedByHintAndMessage()
    {
        var errors = new FakeErrorSource().Add("bond.miimonMs", "must be between 1 and 60000").Add("bond.arpIntervalMs", "someone else's");
        var field = Render<TextField>(p => p.Add(f => f.Form, errors).Add(f => f.Path, "bond.miimonMs")
            .Add(f => f.Name, "BondMiimonMs").Add(f => f.Label, "MII").Add(f => f.Value, "0").Add(f => f.Hint, "in ms"));

        var input = field.Find("input");
        Assert.Equal("true", input.GetAttribute("aria-invalid"));
        Assert.Equal(["must be between 1 and 60000"], field.FindAll("[data-testid=field-error]").Select(e => e.TextContent));
        Assert.Equal("in ms must be between 1 and 60000", DescriptionsOf(field, input));
    }

    [Fact]
    public void TextAreaField_ErrorsOnSeveralLines_AllShownAndAllInItsDescription()
    {
        // The addresses field collects the errors of addresses[0], addresses[2], ...: every one must be announced.
        var errors = new FakeErrorSource().Add("addresses[0]", "'10.9.0.1' is not CIDR").Add("addresses[2]", "'x/33' is not CIDR");
        var field = Render<TextAreaField>(p => p.Add(f => f.Form, errors).Add(f => f.Path, "addresses")
            .Add(f => f.Name, "Addresses").Add(f => f.Label, "Addresses").Add(f => f.Value, "10.9.0.1\n10.9.0.5/30\nx/33"));

        var textarea = field.Find("textarea");
        Assert.Equal("Form.Addresses", textarea.GetAttribute("name"));
        Assert.Equal("10.9.0.1\n10.9.0.5/30\nx/33", textarea.TextContent);
        Assert.Equal("true", textarea.GetAttribute("aria-invalid"));
        Assert.Equal(2, field.FindAll("[data-testid=field-error]").Count);
        Assert.Equal("'10.9.0.1' is not CIDR 'x/33' is not CIDR", DescriptionsOf(field, textarea));
    }

    [Fact]
    public void Render_SeveralErrors_NoDuplicateElementIds()
    {
        var errors = new FakeErrorSource().Add("routes[0]", "bad via").Add("routes[1]", "bad metric");
        var field = Render<TextAreaField>(p => p.Add(f => f.Form, errors).Add(f => f.Path, "routes").Add(f => f.Name, "Routes").Add(f => f.Label, "Routes"));

        var ids = field.FindAll("[id]").Select(e => e.Id).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
    }

    [Fact]
    public void TextField_Secret_IsAPasswordAndNeverRendersItsValue()
    {
        var field = Render<TextField>(p => p.Add(f => f.Form, new FakeErrorSource()).Add(f => f.Path, "striper.key")
            .Add(f => f.Name, "StriperNewKey").Add(f => f.Label, "New pre-shared key").Add(f => f.Value, "c2VjcmV0LWtleS1ieXRlcw==").Add(f => f.Secret, true));

        var input = field.Find("input");
        Assert.Equal("password", input.GetAttribute("type"));
        Assert.Null(input.GetAttribute("value"));
        Assert.DoesNotContain("c2VjcmV0", field.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void SelectField_SelectsTheCurrentChoice()
    {
        var field = Render<SelectField>(p => p.Add(f => f.Form, new FakeErrorSource()).Add(f => f.Path, "bond.mode")
            .Add(f => f.Name, "BondMode").Add(f => f.Label, "Mode").Add(f => f.Value, "active-backup")
            .Add(f => f.Choices, ["balance-rr", "active-backup", "802.3ad"]));

        var select = field.Find("select");
        Assert.Equal("Form.BondMode", select.GetAttribute("name"));
        Assert.Equal(["balance-rr", "active-backup", "802.3ad"], field.FindAll("option").Select(o => o.GetAttribute("value")));
        Assert.Equal(["active-backup"], field.FindAll("option[selected]").Select(o => o.GetAttribute("value")));
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("layer3+4", "layer3+4")]
    public void SelectField_AllowNone_OffersDefaultSelectedWhenEmpty(string? value, string selected)
    {
        var field = Render<SelectField>(p => p.Add(f => f.Form, new FakeErrorSource()).Add(f => f.Path, "bond.xmitHashPolicy")
            .Add(f => f.Name, "BondXmitHashPolicy").Add(f => f.Label, "Transmit hash policy").Add(f => f.Value, value)
            .Add(f => f.Choices, ["layer2", "layer3+4"]).Add(f => f.AllowNone, true));

        Assert.Equal("(default)", field.Find("option[value='']").TextContent);
        Assert.Equal([selected], field.FindAll("option[selected]").Select(o => o.GetAttribute("value")));
    }

    [Fact]
    public void SelectField_ErrorBelowItsPath_IsInvalid()
    {
        var errors = new FakeErrorSource().Add("striper.scheduler", "unknown scheduler");
        var field = Render<SelectField>(p => p.Add(f => f.Form, errors).Add(f => f.Path, "striper.scheduler")
            .Add(f => f.Name, "StriperScheduler").Add(f => f.Label, "Scheduler").Add(f => f.Choices, ["wrr"]));

        var select = field.Find("select");
        Assert.Equal("true", select.GetAttribute("aria-invalid"));
        Assert.Equal("unknown scheduler", DescriptionsOf(field, select));
    }

    [Fact]
    public void MemberField_PostsTheMembersIndexAndShowsOnlyItsOwnErrors()
    {
        var errors = new FakeErrorSource()
            .Add(PolicyPaths.MemberField(2, "weight"), "must be positive")
            .Add(PolicyPaths.MemberField(1, "weight"), "another member's")
            .Add(PolicyPaths.MemberField(2, "peer"), "another field's");
        var field = Render<MemberField>(p => p.Add(f => f.Form, errors).Add(f => f.Index, 2).Add(f => f.Field, "weight")
            .Add(f => f.Name, "Weight").Add(f => f.Label, "Weight").Add(f => f.Value, "-1").Add(f => f.InputMode, "decimal"));

        var input = field.Find("input");
        Assert.Equal("Form.Members[2].Weight", input.GetAttribute("name"));
        Assert.Equal("Weight of member 3", field.Find($"label[for='{input.Id}']").TextContent);
        Assert.Equal("true", input.GetAttribute("aria-invalid"));
        Assert.Equal("must be positive", DescriptionsOf(field, input));
    }

    [Fact]
    public void MemberField_NoErrors_HasNoDescription()
    {
        var field = Render<MemberField>(p => p.Add(f => f.Form, new FakeErrorSource()).Add(f => f.Index, 0).Add(f => f.Field, "interface")
            .Add(f => f.Name, "Interface").Add(f => f.Label, "Interface").Add(f => f.Value, "eth1"));

        var input = field.Find("input");
        Assert.Null(input.GetAttribute("aria-invalid"));
        Assert.Null(input.GetAttribute("aria-describedby"));
        Assert.Empty(field.FindAll("[data-testid=field-error]"));
    }

    [Fact]
    public void FieldErrors_NoMessages_RendersNothing()
    {
        var errors = Render<FieldErrors>(p => p.Add(f => f.Messages, []).Add(f => f.Id, "f-mtu-error"));

        Assert.Equal("", errors.Markup.Trim());
    }

    /// <summary>
    /// The text assistive technology reads as the element's description: the text of its aria-describedby targets,
    /// in order (each message a separate phrase).
    /// </summary>
    private static string DescriptionsOf<T>(IRenderedComponent<T> field, IElement element)
        where T : Microsoft.AspNetCore.Components.IComponent
    {
        var ids = (element.GetAttribute("aria-describedby") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var phrases = ids.SelectMany(id => field.Find($"[id='{id}']").GetDescendants().OfType<IText>())
            .Select(text => text.Data.Trim())
            .Where(text => text.Length > 0);
        return string.Join(' ', phrases);
    }
}
