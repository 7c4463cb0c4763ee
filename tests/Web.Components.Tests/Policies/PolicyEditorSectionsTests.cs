using System.Security.Claims;
using Bunit;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Web.Formatting;
using Fleet.Web.Policies;
using Fleet.Web.Settings;
using Fleet.Web.Tests.Policies;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Web.Components.Tests.Policies;

/// <summary>
/// The policy editor's sections for every link kind: which fieldsets and member columns it shows, that they start
/// from the stored spec, that a secret never comes back, and what a viewer or a missing link gets instead.
/// </summary>
public sealed class PolicyEditorSectionsTests : BunitContext
{
    private static readonly Guid s_linkId = Guid.Parse("6f1c1f55-9a8e-4a53-9d3e-3e1b8d1f0a01");
    private static readonly DateTimeOffset s_now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    private readonly FakePolicyQuery _query = new();

    public PolicyEditorSectionsTests()
    {
        Services.AddSingleton<IPolicyQuery>(_query);
        Services.AddSingleton<IPolicyCommands, RefusingPolicyCommands>();
        Services.AddSingleton(new ViewerTimeZone((string?)null));
        Services.AddSingleton<TimeProvider>(new FakeTimeProvider(s_now));
        Services.AddSingleton<AntiforgeryStateProvider, NoAntiforgery>();
    }

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
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        Assert.Equal(["Interface", "Admin state", .. specific, "Rate hint (bit/s)", "Lag hint (ms)", "Remove"],
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
            LinkKind.Bond or LinkKind.Teql or LinkKind.Striper => true,
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

    private IRenderedComponent<PolicyEditorPage> RenderEditor(LinkSpec spec, string role, IReadOnlyList<PolicyRevision>? revisions = null)
    {
        _query.Document = new PolicyDocument(s_linkId, Guid.NewGuid(), "edge-1", spec, revisions?[0].Generation ?? 1, 1, LinkPhase.Applied, null,
            revisions ?? [new PolicyRevision(1, spec, s_now, "admin")]);
        return Render<PolicyEditorPage>(p => p.AddCascadingValue(Request(role)).Add(x => x.LinkId, s_linkId));
    }

    private static DefaultHttpContext Request(string role) =>
        new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "test")) };

    private static List<string> CheckedFlags(IRenderedComponent<PolicyEditorPage> page, int member) =>
        page.FindAll($"input[type=checkbox][name^='Form.Members[{member}].Flag'][checked]")
            .Select(c => c.GetAttribute("name")![$"Form.Members[{member}].".Length..]).ToList();

    private static LinkSpec Spec(LinkKind kind) => kind switch
    {
        LinkKind.Bond => SpecSamples.Bond(),
        LinkKind.Teql => SpecSamples.Teql(),
        LinkKind.Mptcp => SpecSamples.Mptcp(),
        LinkKind.Striper => SpecSamples.Striper(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string KindSection(LinkKind kind) => kind switch
    {
        LinkKind.Bond => "Bonding",
        LinkKind.Teql => "teql probing",
        LinkKind.Mptcp => "MPTCP",
        LinkKind.Striper => "Striper",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private sealed class FakePolicyQuery : IPolicyQuery
    {
        public PolicyDocument? Document { get; set; }

        public Task<PolicyDocument?> GetPolicyAsync(Guid linkId, CancellationToken cancellationToken) =>
            Task.FromResult(Document?.LinkId == linkId ? Document : null);
    }

    /// <summary>Rendering never changes a policy; a call here is a bug in the test.</summary>
    private sealed class RefusingPolicyCommands : IPolicyCommands
    {
        public Task<PolicyChangeResult> ChangeAsync(Guid linkId, LinkSpec spec, long expectedGeneration, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The sections tests only render the editor.");
    }

    private sealed class NoAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => null;
    }
}
