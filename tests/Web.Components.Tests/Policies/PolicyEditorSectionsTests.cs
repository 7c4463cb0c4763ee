using Bunit;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Contracts.Links.Validation;
using Fleet.Web.Policies;
using Fleet.Web.Settings;
using Fleet.Web.Tests.Policies;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Web.Components.Tests.Policies;

/// <summary>
/// The policy editor's sections for every link kind: which fieldsets and member columns it shows, that they start
/// from the stored spec, that a secret never comes back, and what a viewer or a missing link gets instead.
/// </summary>
public sealed class PolicyEditorSectionsTests : PolicyEditorContext
{
    public static TheoryData<LinkKind> Kinds() => new(Enum.GetValues<LinkKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_Kind_ShowsItsOwnSectionOnly(LinkKind kind)
    {
        var page = RenderEditor(Spec(kind), DashboardRoles.Operator);

        Assert.Equal(["Members", KindSection(kind), "Link"], page.FindAll("form.policy-form fieldset > legend:not(.visually-hidden)").Select(l => l.TextContent));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_Kind_MemberTableHasItsColumns(LinkKind kind)
    {
        var page = RenderEditor(Spec(kind), DashboardRoles.Operator);

        string[] specific = kind switch
        {
            LinkKind.Bond => [],
            LinkKind.Teql => ["Probe target"],
            LinkKind.Mptcp => ["Address", "Endpoint flags"],
            LinkKind.Striper => ["Tier", "Weight", "Address", "Local port", "Peer"],
            LinkKind.Aggregator => ["Address", "Port"],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        Assert.Equal(["Interface", "Admin state", .. specific, "Rate hint (bit/s)", "Lag hint (ms)", "Data cap (bytes per cycle, cycle day, at 100 %)", "Remove"],
            page.FindAll(".member-table thead th").Select(h => h.TextContent));
        Assert.Equal(Spec(kind).Members.Count, page.FindAll(".member-table tbody tr").Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_Kind_LinkSectionHasAddressingExceptForMptcp(LinkKind kind)
    {
        var page = RenderEditor(Spec(kind), DashboardRoles.Operator);

        // MPTCP uses the members' own addresses and routes; every other kind owns a device that gets addresses.
        var addressing = kind switch
        {
            LinkKind.Mptcp => false,
            LinkKind.Bond or LinkKind.Teql or LinkKind.Striper or LinkKind.Aggregator => true,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        Assert.Equal(addressing, page.FindAll("[name='Form.Addresses']").Count == 1);
        Assert.Equal(addressing, page.FindAll("[name='Form.Routes']").Count == 1);
        Assert.Equal(addressing, page.FindAll("[name='Form.Mtu']").Count == 1);
        Assert.Single(page.FindAll("[name='Form.ConfirmTimeoutSeconds']"));
    }

    [Fact]
    public void Render_Bond_StartsFromTheStoredSpec()
    {
        var page = RenderEditor(SpecSamples.Bond(), DashboardRoles.Operator);

        Assert.Equal("active-backup", page.Find($"select[name='Form.{PolicyForm.OptionName(BondFields.Mode)}'] option[selected]").GetAttribute("value"));
        Assert.Equal("100", page.Find($"input[name='Form.{PolicyForm.OptionName(BondFields.MiimonMs)}']").GetAttribute("value"));
        Assert.Equal("eth1", page.Find($"input[name='Form.{PolicyForm.OptionName(BondFields.Primary)}']").GetAttribute("value"));
        Assert.Equal("backup", page.Find("select[name='Form.Members[1].AdminState'] option[selected]").GetAttribute("value"));
        Assert.Equal("10.8.0.1/24", page.Find("textarea[name='Form.Addresses']").TextContent.Trim());
    }

    [Fact]
    public void Form_MemberCap_RoundTripsAndAHalfTypedCapGetsItsFieldError()
    {
        var spec = Spec(LinkKind.Bond);
        var cap = new DataCap { Bytes = 50_000_000_000, CycleStartDay = 5, DemoteWhenExhausted = true };
        spec = spec with { Members = [spec.Members[0], spec.Members[1] with { Cap = cap }] };
        var form = PolicyForm.FromSpec(spec, generation: 1);
        var errors = new List<ValidationError>();

        var same = form.ToSpec(spec, errors);
        form.Members[0].CapBytes = "1000";
        var halfTyped = form.ToSpec(spec, errors);

        Assert.Equal([null, cap], same.Members.Select(m => m.Cap));
        Assert.Empty(errors);
        Assert.Equal(["members[0].cap.cycleStartDay"], LinkSpecValidator.Validate(halfTyped).Select(e => e.Path));
    }

    [Fact]
    public void Render_Mptcp_ChecksEachMembersEndpointFlags()
    {
        var page = RenderEditor(SpecSamples.Mptcp(), DashboardRoles.Operator);

        Assert.Equal(["FlagSignal", "FlagSubflow"], CheckedFlags(page, 0));
        Assert.Equal(["FlagSubflow", "FlagBackup"], CheckedFlags(page, 1));
    }

    [Fact]
    public void Render_Striper_NeverRendersThePreSharedKey()
    {
        var page = RenderEditor(SpecSamples.Striper(), DashboardRoles.Operator);

        Assert.Equal("password", page.Find($"input[name='Form.{PolicyForm.OptionName(StriperFields.Key)}']").GetAttribute("type"));
        Assert.DoesNotContain(SpecSamples.Key, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Viewer_SeesNoFormAndIsToldWhy()
    {
        var page = RenderEditor(SpecSamples.Bond(), DashboardRoles.Viewer);

        Assert.Empty(page.FindAll("form.policy-form"));
        Assert.Empty(page.FindAll("button[name=RevertGeneration]"));
        Assert.Contains("changing it needs the operator role", page.Find("p.notice").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_History_MarksTheCurrentGenerationAndShowsEachChange()
    {
        var first = SpecSamples.Bond();
        var second = SpecSamples.Bond() with { Mtu = 9000 };
        var page = RenderEditor(second, DashboardRoles.Operator, [new PolicyRevision(2, second, s_now, "olga"), new PolicyRevision(1, first, s_now.AddDays(-1), "admin")]);

        var items = page.FindAll(".history__item");
        Assert.Equal(2, items.Count);
        Assert.Equal("current", items[0].QuerySelector(".label")?.TextContent);
        Assert.Contains("mtu", items[0].QuerySelector(".history__changes")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("9000", items[0].QuerySelector("ins")!.TextContent);
        Assert.Equal("first generation", items[1].QuerySelector("p.muted")!.TextContent);
        Assert.Equal("1", items[1].QuerySelector("button[name=RevertGeneration]")!.GetAttribute("value"));
    }

    [Fact]
    public void Render_UnknownLink_SaysSo()
    {
        var page = Render<PolicyEditorPage>(p => p.AddCascadingValue(Request(DashboardRoles.Operator)).Add(x => x.LinkId, Guid.NewGuid()));

        Assert.Equal("Link not found", page.Find("h1").TextContent);
        Assert.Empty(page.FindAll("form"));
    }

    private static List<string> CheckedFlags(IRenderedComponent<PolicyEditorPage> page, int member) =>
        page.FindAll($"input[type=checkbox][name^='Form.Members[{member}].Flag'][checked]")
            .Select(c => c.GetAttribute("name")![$"Form.Members[{member}].".Length..]).ToList();

    private static LinkSpec Spec(LinkKind kind) => kind switch
    {
        LinkKind.Bond => SpecSamples.Bond(),
        LinkKind.Teql => SpecSamples.Teql(),
        LinkKind.Mptcp => SpecSamples.Mptcp(),
        LinkKind.Striper => SpecSamples.Striper(),
        LinkKind.Aggregator => SpecSamples.Aggregator(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string KindSection(LinkKind kind) => kind switch
    {
        LinkKind.Bond => "Bonding",
        LinkKind.Teql => "teql probing",
        LinkKind.Mptcp => "MPTCP",
        LinkKind.Striper => "Striper",
        LinkKind.Aggregator => "Aggregator",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
