using System.Security.Claims;
using Fleet.Web.Account;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web;

/// <summary>
/// Base of the dashboard's pages: the request (static SSR always has one), its cancellation and its user.
/// </summary>
public abstract class DashboardPage : ComponentBase
{
    /// <summary>The current request.</summary>
    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    /// <summary>Cancelled when the browser goes away.</summary>
    protected CancellationToken Aborted => HttpContext?.RequestAborted ?? CancellationToken.None;

    /// <summary>The signed-in user.</summary>
    protected ClaimsPrincipal User => HttpContext?.User ?? new ClaimsPrincipal();

    /// <summary>Whether the user may change policies (edit controls are rendered only then).</summary>
    protected bool CanOperate => DashboardUser.CanOperate(User);

    /// <summary>Whether the user may manage users, keys and tokens.</summary>
    protected bool CanAdminister => DashboardUser.CanAdminister(User);

    /// <summary>Answers 404 for the current request (the page renders its own message).</summary>
    protected void SetNotFound()
    {
        if (HttpContext is { Response.HasStarted: false } context)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }
}
