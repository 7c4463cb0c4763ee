using Fleet.Web.Account;

namespace Fleet.Api.Dashboard;

/// <summary>
/// Refuses dashboard form posts a role may not make, before any page code runs: a viewer's post to a policy editor, to
/// the Alerts page (acknowledge, silence) or to a link's page (the Doctor panel's speed test) gets 403 whether or not it carries a valid antiforgery token (pages and
/// the commands behind them check again).
/// Settings pages are admin-only through their <c>[Authorize]</c> attribute already.
/// </summary>
internal sealed class DashboardPostGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsPost(context.Request.Method)
            && (IsPolicyEditor(context.Request.Path) || IsAlertsPage(context.Request.Path) || IsLinkPage(context.Request.Path))
            && context.User.Identity?.IsAuthenticated == true
            && !DashboardUser.CanOperate(context.User))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        return next(context);
    }

    /// <summary><c>/alerts</c> (its query string aside).</summary>
    internal static bool IsAlertsPage(PathString path) =>
        string.Equals((path.Value ?? "").TrimEnd('/'), Fleet.Web.DashboardPaths.Alerts, StringComparison.OrdinalIgnoreCase);

    /// <summary><c>/links/{id}</c>.</summary>
    internal static bool IsLinkPage(PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length == 2
            && string.Equals(segments[0], "links", StringComparison.OrdinalIgnoreCase)
            && Guid.TryParse(segments[1], out _);
    }

    /// <summary><c>/links/{id}/policy</c>.</summary>
    internal static bool IsPolicyEditor(PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length == 3
            && string.Equals(segments[0], "links", StringComparison.OrdinalIgnoreCase)
            && Guid.TryParse(segments[1], out _)
            && string.Equals(segments[2], "policy", StringComparison.OrdinalIgnoreCase);
    }
}
