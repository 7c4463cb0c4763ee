using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    /// <summary>
    /// Issue 11, the rule-editing form: an operator creates a custom rule on one link by its HOST/LINK name (a threshold
    /// that is not a number comes back as a field error with the form kept as typed), sees it in the list, and deletes
    /// it; both through the commands REST uses, audited as the operator. The threshold is one the demo never reaches.
    /// </summary>
    [Fact]
    public async Task AlertRules_OperatorCreatesAndDeletesACustomRule_TypoComesBackAsAFieldError()
    {
        var cancel = TestContext.Current.CancellationToken;
        var (linkId, hostName) = (await fixture.LinksAsync(LinkKind.Teql))[0];
        string linkName;
        await using (var db = fixture.CreateDbContext())
        {
            linkName = await db.Links.AsNoTracking().Where(l => l.Id == linkId).Select(l => l.Name).SingleAsync(cancel);
        }

        const string OperatorName = "rita";
        const string OperatorPassword = "rule-operator-password-for-tests";
        await AddUserAsync(OperatorName, OperatorPassword, FleetRole.Operator, cancel);
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, OperatorName, OperatorPassword);
        await page.GotoAsync(Url("/alerts"));

        var form = page.GetByTestId("rule-form");
        await form.Locator("summary").ClickAsync();
        await form.GetByLabel("Name").FillAsync("teql_loss_extreme");
        await form.GetByLabel("Metric").SelectOptionAsync("lossPercent");
        await form.GetByLabel("Comparison").SelectOptionAsync("above");
        await form.GetByLabel("Threshold").FillAsync("forty");
        await form.GetByLabel("Scope").SelectOptionAsync("link");
        await form.GetByLabel("Host, link or labels").FillAsync($"{hostName}/{linkName}");
        await form.GetByTestId("create-rule").ClickAsync();

        await Assertions.Expect(page.GetByTestId("alert-errors")).ToContainTextAsync("threshold: is not a number");
        await Assertions.Expect(form.GetByLabel("Name")).ToHaveValueAsync("teql_loss_extreme");
        await Assertions.Expect(form.GetByLabel("Host, link or labels")).ToHaveValueAsync($"{hostName}/{linkName}");
        await form.GetByLabel("Threshold").FillAsync("40");
        await form.GetByTestId("create-rule").ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Rule teql_loss_extreme created" })).ToBeVisibleAsync();
        var row = page.Locator("[data-testid=alert-rules] tr[data-rule=teql_loss_extreme]");
        await Assertions.Expect(row).ToContainTextAsync("lossPercent above 40, per member, scope link");
        await Screenshots.SaveAsync(page, "alert-rule-created");
        await using (var db = fixture.CreateDbContext())
        {
            var stored = await db.AlertRules.AsNoTracking().SingleAsync(r => r.Name == "teql_loss_extreme", cancel);
            Assert.Equal((AlertRuleScope.Link, (Guid?)linkId, 40.0), (stored.Scope, stored.LinkId, stored.Threshold));
        }

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete rule teql_loss_extreme" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Rule deleted" })).ToBeVisibleAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        await using (var db = fixture.CreateDbContext())
        {
            Assert.False(await db.AlertRules.AnyAsync(r => r.Name == "teql_loss_extreme", cancel));
            var actions = await db.AuditLog.AsNoTracking().Where(a => a.Actor == $"user:{OperatorName}").Select(a => a.Action).ToListAsync(cancel);
            Assert.Equal(["alert_rule.created", "alert_rule.deleted"], actions.Order(StringComparer.Ordinal));
        }
    }
}
