using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Api.Tests.Security;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Api.Tests.Dashboard;

/// <summary>
/// A browser asking for a page gets the dashboard's own 403 and 404 pages, never raw ProblemDetails JSON (issue 19);
/// the REST API keeps answering ProblemDetails.
/// </summary>
public sealed class ErrorPageTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UnknownPath_FromASignedInBrowser_IsTheDashboardsNotFoundPage()
    {
        // Signed out, every path leads to the login page: that reveals nothing about which pages exist.
        using var browser = await ViewerBrowserAsync();

        using var response = await GetPageAsync(browser, "no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("<h1>Not found</h1>", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsPage_AsAViewer_IsTheDashboardsAccessDeniedPage()
    {
        using var browser = await ViewerBrowserAsync();

        using var response = await GetPageAsync(browser, "settings");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("<h1>Access denied</h1>", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api/v1/no-such-resource")]
    [InlineData("api/v1/links/00000000-0000-0000-0000-000000000001")]
    public async Task UnknownApiResource_EvenFromABrowser_IsProblemDetails(string path)
    {
        using var admin = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        using var response = await admin.SendAsync(request, Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<HttpClient> ViewerBrowserAsync()
    {
        using (var admin = Client())
        using (var created = await admin.PostAsJsonAsync("api/v1/users", new CreateUserRequest { UserName = "vera", Password = "vera's long password", Role = FleetRole.Viewer }, FleetJson.Options, Cancel))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var browser = LoopbackBrowser.Create(Api.Start());
        await LoginForm.LoginAsync(browser, "vera", "vera's long password");
        return browser;
    }

    private static Task<HttpResponseMessage> GetPageAsync(HttpClient browser, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        return browser.SendAsync(request, Cancel);
    }
}
