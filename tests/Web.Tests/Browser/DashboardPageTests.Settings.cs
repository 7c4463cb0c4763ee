using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;

namespace Fleet.Web.Tests.Browser;

public sealed partial class DashboardPageTests
{
    [Fact]
    public async Task Settings_Users_AddSignInChangeRoleAndDelete()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
        const string Name = "pat";
        const string Password = "pat-password-for-tests";

        await page.GotoAsync(Url("/settings"));
        await page.Locator("#new-user").FillAsync(Name);
        await page.Locator("#new-password").FillAsync(Password);
        await page.Locator("#new-role").SelectOptionAsync("operator");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = $"User {Name} added." })).ToBeVisibleAsync();
        var row = page.GetByTestId("users").Locator("tr", new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = Name, Exact = true }) });
        await Assertions.Expect(row.Locator(".role-badge")).ToHaveTextAsync("operator");

        // The new user signs in with the role given.
        await using (var other = await fixture.Browser.NewContextAsync())
        {
            var otherPage = await other.NewPageAsync();
            await LoginAsync(otherPage, Name, Password);
            await Assertions.Expect(otherPage.GetByTestId("user-role")).ToHaveTextAsync("operator");
        }

        await row.GetByLabel($"Role of {Name}").SelectOptionAsync("viewer");
        await row.GetByRole(AriaRole.Button, new() { Name = "Change role" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Role changed." })).ToBeVisibleAsync();
        await Assertions.Expect(row.Locator(".role-badge")).ToHaveTextAsync("viewer");
        await Screenshots.SaveAsync(page, "settings-users");

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "User deleted." })).ToBeVisibleAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);

        // Deleted means deleted: the password no longer signs in.
        await using var after = await fixture.Browser.NewContextAsync();
        var afterPage = await after.NewPageAsync();
        await afterPage.GotoAsync(Url("/account/login"));
        await afterPage.GetByLabel("User name").FillAsync(Name);
        await afterPage.GetByLabel("Password").FillAsync(Password);
        await afterPage.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(afterPage.GetByTestId("login-error")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Settings_ApiKey_SecretShownOnceWorksAsBearerUntilRevoked()
    {
        await using var context = await fixture.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await LoginAsync(page, "admin", DashboardFixture.AdminPassword);
        const string Name = "browser-ci";

        await page.GotoAsync(Url("/settings"));
        await page.Locator("#key-name").FillAsync(Name);
        await page.Locator("#key-role").SelectOptionAsync("viewer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        var secret = await page.GetByTestId("secret-value").TextContentAsync() ?? "";
        Assert.StartsWith("fleet_k_", secret, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByTestId("new-secret")).ToContainTextAsync("shown only this once");
        await Assertions.Expect(page.GetByTestId("enroll-command")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "settings-api-key");

        using var http = new HttpClient { BaseAddress = fixture.Api.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using (var response = await http.GetAsync(new Uri("api/v1/hosts", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Shown once: the next page has only the prefix.
        await page.GotoAsync(Url("/settings"));
        await Assertions.Expect(page.GetByTestId("new-secret")).ToHaveCountAsync(0);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        var row = page.GetByTestId("api-keys").Locator("tr", new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = Name, Exact = true }) });
        await Assertions.Expect(row.Locator(".role-badge")).ToHaveTextAsync("viewer");

        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(row).ToContainTextAsync("revoked");
        using (var response = await http.GetAsync(new Uri("api/v1/hosts", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
