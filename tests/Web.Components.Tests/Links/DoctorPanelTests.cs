using System.Security.Claims;
using Bunit;
using Fleet.Contracts.Doctor;
using Fleet.Web.Doctor;
using Fleet.Web.Settings;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Web.Components.Tests.Links;

/// <summary>The link page's Doctor panel: verdict, findings in the order given, critical and warning findings open, info folded.</summary>
public sealed class DoctorPanelTests : BunitContext
{
    private static readonly Guid s_linkId = Guid.Parse("5a0c1d2e-3f40-4b5c-8d6e-7f8091a2b3c4");
    private readonly FixedQuery _query = new();

    public DoctorPanelTests() => Services.AddSingleton<ILinkDiagnosisQuery>(_query);

    [Fact]
    public void Impaired_VerdictSummaryAndFindingsInOrder_InfoFolded()
    {
        _query.Diagnosis = Diagnosis(DoctorVerdict.Impaired, "eth2 is down",
            new Finding("member_down", FindingSeverity.Critical, "eth2", "eth2 is down", "eth2 down in 80 % of its 900 samples over the last 15 min", "why", "Check eth2's uplink"),
            new Finding("no_aggregation_by_design", FindingSeverity.Info, null, "active_backup carries on one path at a time", "observed", "why", "switch"));

        var panel = Render<DoctorPanel>(p => p.Add(x => x.LinkId, s_linkId));

        Assert.Equal((s_linkId, DoctorPanel.Window), (_query.LinkId, _query.Window));
        Assert.Equal("Impaired", panel.Find("[data-testid=doctor]").GetAttribute("data-verdict"));
        Assert.Contains("Impaired", panel.Find("[data-testid=doctor-verdict]").TextContent, StringComparison.Ordinal);
        Assert.Equal("health health--bad", panel.Find("[data-testid=doctor-verdict]").GetAttribute("class"));
        Assert.Equal("eth2 is down", panel.Find("[data-testid=doctor-summary]").TextContent);
        var findings = panel.FindAll("li.doctor__finding");
        Assert.Equal(["member_down", "no_aggregation_by_design"], findings.Select(f => f.GetAttribute("data-code")));
        Assert.Equal("eth2", findings[0].GetAttribute("data-member"));
        Assert.Contains("80 %", findings[0].QuerySelector("[data-testid=finding-observed]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Check eth2's uplink", findings[0].QuerySelector("[data-testid=finding-suggestion]")!.TextContent);
        Assert.True(findings[0].QuerySelector("details")!.HasAttribute("open"));
        Assert.False(findings[1].QuerySelector("details")!.HasAttribute("open"));
    }

    [Fact]
    public void Healthy_NoFindingList()
    {
        _query.Diagnosis = Diagnosis(DoctorVerdict.Healthy, "Healthy: 2 members carrying, nothing limits aggregation");

        var panel = Render<DoctorPanel>(p => p.Add(x => x.LinkId, s_linkId));

        Assert.Equal("health health--ok", panel.Find("[data-testid=doctor-verdict]").GetAttribute("class"));
        Assert.Empty(panel.FindAll("li.doctor__finding"));
    }

    [Theory]
    [InlineData(DashboardRoles.Operator, true)]
    [InlineData(DashboardRoles.Admin, true)]
    [InlineData(DashboardRoles.Viewer, false)]
    public void FindingWithASpecChange_OperatorsGetTheEditorOpenedOnIt(string role, bool linked)
    {
        _query.Diagnosis = Diagnosis(DoctorVerdict.Limited, "round_robin over unequal paths",
            new Finding("scheduler_unsuited", FindingSeverity.Warning, null, "round_robin over unequal paths", "observed", "why", "Switch the scheduler to weighted",
                new SpecSuggestion { Scheduler = Fleet.Contracts.Links.StripeSchedulerKind.Weighted }),
            new Finding("member_down", FindingSeverity.Critical, "eth2", "eth2 is down", "observed", "why", "Check eth2's uplink"));
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "test"));

        var panel = Render<DoctorPanel>(p => p.AddCascadingValue(new DefaultHttpContext { User = user }).Add(x => x.LinkId, s_linkId));

        var fixes = panel.FindAll("[data-testid=finding-fix]");
        if (linked)
        {
            var fix = Assert.Single(fixes);
            Assert.Equal($"/links/{s_linkId}/policy?fix=scheduler_unsuited", fix.GetAttribute("href"));
            Assert.Equal("scheduler_unsuited", fix.Closest("li")!.GetAttribute("data-code"));
        }
        else
        {
            Assert.Empty(fixes);
        }
    }

    [Fact]
    public void AggregationRatio_ShownWithItsNumbers_OrWhatItNeeds()
    {
        _query.Diagnosis = Diagnosis(DoctorVerdict.Healthy, "Healthy") with { Aggregation = new AggregationRatio(0.8, 48e6, 60e6) };
        var measured = Render<DoctorPanel>(p => p.Add(x => x.LinkId, s_linkId));
        _query.Diagnosis = Diagnosis(DoctorVerdict.Healthy, "Healthy");
        var unmeasured = Render<DoctorPanel>(p => p.Add(x => x.LinkId, s_linkId));

        Assert.Equal("Aggregation 80 %: 48 Mbit/s delivered in the busiest interval of 60 Mbit/s the paths carry (speed test)",
            string.Join(" ", measured.Find("[data-testid=aggregation-ratio]").TextContent.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)).Replace(" :", ":", StringComparison.Ordinal));
        Assert.Contains("needs a speed test", unmeasured.Find("[data-testid=aggregation-ratio]").TextContent, StringComparison.Ordinal);
    }

    private static Diagnosis Diagnosis(DoctorVerdict verdict, string summary, params Finding[] findings) => new()
    {
        LinkId = s_linkId,
        Verdict = verdict,
        Summary = summary,
        From = DateTimeOffset.UnixEpoch,
        To = DateTimeOffset.UnixEpoch.AddMinutes(15),
        Findings = findings,
        Members = [],
    };

    private sealed class FixedQuery : ILinkDiagnosisQuery
    {
        public Diagnosis? Diagnosis { get; set; }

        public Guid LinkId { get; private set; }

        public TimeSpan Window { get; private set; }

        public Task<Diagnosis?> DiagnoseAsync(Guid linkId, TimeSpan window, CancellationToken cancellationToken)
        {
            (LinkId, Window) = (linkId, window);
            return Task.FromResult(Diagnosis);
        }
    }
}
