using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Fleet.Web;

/// <summary>
/// The dashboard's own page for an error status a browser's page request ended with (the Api re-executes such requests
/// here instead of answering with ProblemDetails JSON, which is for the REST API). It keeps the original status.
/// </summary>
public sealed partial class ErrorPage : DashboardPage
{
    /// <summary>The status the original request ended with.</summary>
    [Parameter]
    public int Code { get; set; }

    private string Title => Code switch
    {
        StatusCodes.Status403Forbidden => "Access denied",
        StatusCodes.Status404NotFound => "Not found",
        _ => $"Error {Code}",
    };

    private string Explanation => Code switch
    {
        StatusCodes.Status403Forbidden => "Your role does not allow this page; an admin can change it under Settings.",
        StatusCodes.Status404NotFound => "There is nothing at this address.",
        _ => "The request could not be answered.",
    };

    protected override void OnInitialized()
    {
        // Asked for directly (not re-executed), an unknown code is no error page of ours.
        if (HttpContext is { Response.HasStarted: false } context && Code is >= 400 and <= 599)
        {
            context.Response.StatusCode = Code;
        }
    }
}
