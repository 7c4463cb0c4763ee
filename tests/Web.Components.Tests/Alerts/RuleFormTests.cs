using Fleet.Contracts.Rest;
using Fleet.Web.Alerts;

namespace Fleet.Web.Components.Tests.Alerts;

/// <summary>The new-rule form's parsing: what the browser cannot check comes back as field errors keyed like REST's.</summary>
public sealed class RuleFormTests
{
    private static RuleForm Valid() => new()
    {
        Name = " lte_rtt_high ", Metric = "rttMs", Comparison = "above", Threshold = "150.5", ForSeconds = "90", Subject = "member", Scope = "labels",
        Target = "site=paris, tier = gold", Severity = "critical",
    };

    [Fact]
    public void ToDraft_Labels_RequestAsRestTakesIt()
    {
        var draft = Valid().ToDraft(out var errors)!;

        Assert.Empty(errors);
        var request = draft.Request;
        Assert.Equal(("lte_rtt_high", "rttMs", AlertComparison.Above, 150.5, TimeSpan.FromSeconds(90)), (request.Name, request.Metric, request.Comparison, request.Threshold, request.For));
        Assert.Equal((AlertRuleSubject.Member, AlertRuleScope.Labels, AlertSeverity.Critical), (request.Subject, request.Scope, request.Severity));
        Assert.Equal(new Dictionary<string, string> { ["site"] = "paris", ["tier"] = "gold" }, request.Labels);
        Assert.Null(draft.Target);
    }

    [Fact]
    public void ToDraft_LinkScope_TargetKeptForTheApiToResolve()
    {
        var form = Valid();
        form.Scope = "link";
        form.Target = "edge-1/str0";

        var link = form.ToDraft(out var errors)!;

        Assert.Empty(errors);
        Assert.Equal(("edge-1/str0", AlertRuleScope.Link), (link.Target, link.Request.Scope));
        Assert.Null(link.Request.Labels);
    }

    [Fact]
    public void ToDraft_UnparsableFields_EachAnErrorUnderItsRestName()
    {
        var form = Valid();
        form.Threshold = "lots";
        form.ForSeconds = "NaN";
        form.Comparison = "sideways";
        form.Target = "site";

        Assert.Null(form.ToDraft(out var errors));
        Assert.Equal(["comparison", "for", "labels", "threshold"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ToDraft_HostScopeWithoutAHost_Error()
    {
        var form = Valid();
        form.Scope = "host";
        form.Target = " ";

        Assert.Null(form.ToDraft(out var errors));
        Assert.Equal("name the host", Assert.Single(errors["target"]));
    }
}
