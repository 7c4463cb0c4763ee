using System.Security.Claims;
using Fleet.Api.Dashboard;
using Fleet.Web.Settings;
using Microsoft.AspNetCore.Http;

namespace Fleet.Api.Tests.Dashboard;

/// <summary>
/// A viewer's form post to a page whose forms change things (a link's page: the Doctor panel's speed test; a policy
/// editor; the Alerts page) is refused before any page code runs; an operator's passes, and so does a viewer's GET.
/// </summary>
public sealed class DashboardPostGuardTests
{
    private static readonly string s_link = "/links/" + Guid.CreateVersion7();

    [Theory]
    [InlineData("POST", DashboardRoles.Viewer, false)]
    [InlineData("POST", DashboardRoles.Operator, true)]
    [InlineData("POST", DashboardRoles.Admin, true)]
    [InlineData("GET", DashboardRoles.Viewer, true)]
    public async Task LinkPage_PostsByRole(string method, string role, bool passes)
    {
        var (status, reached) = await SendAsync(method, s_link, role);

        Assert.Equal(passes, reached);
        Assert.Equal(passes ? StatusCodes.Status200OK : StatusCodes.Status403Forbidden, status);
    }

    [Theory]
    [InlineData("/links")]
    [InlineData("/links/not-an-id")]
    [InlineData("/hosts/0197a000-0000-7000-8000-000000000001")]
    public async Task OtherPaths_ViewerPostPasses(string path)
    {
        var (_, reached) = await SendAsync("POST", path, DashboardRoles.Viewer);

        Assert.True(reached);
    }

    [Fact]
    public async Task PolicyEditorAndAlerts_ViewerPostRefused()
    {
        Assert.False((await SendAsync("POST", s_link + "/policy", DashboardRoles.Viewer)).Reached);
        Assert.False((await SendAsync("POST", "/alerts", DashboardRoles.Viewer)).Reached);
    }

    private static async Task<(int Status, bool Reached)> SendAsync(string method, string path, string role)
    {
        var reached = false;
        var guard = new DashboardPostGuard(_ =>
        {
            reached = true;
            return Task.CompletedTask;
        });
        var context = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, role)], "test")) };
        context.Request.Method = method;
        context.Request.Path = path;

        await guard.InvokeAsync(context);

        return (context.Response.StatusCode, reached);
    }
}
