using Microsoft.AspNetCore.Http;

namespace Fleet.Web;

/// <summary>Tells a request made by Blazor's enhanced navigation (or an enhanced form post) from a full page load.</summary>
public static class EnhancedNavigation
{
    /// <summary>
    /// The Accept header Blazor's script sends, and only it, with every enhanced page load; the server's streaming
    /// rendering keys on the same value to frame its updates.
    /// </summary>
    public const string AcceptHeader = "text/html; blazor-enhanced-nav=on";

    /// <summary>
    /// Whether <paramref name="request"/> came from Blazor's script in a browser running it, so parts of the page may
    /// be streamed after it (a full page load may come from a browser without scripts).
    /// </summary>
    public static bool IsEnhanced(HttpRequest? request) =>
        request is not null && request.Headers.Accept is [{ } accept] && string.Equals(accept, AcceptHeader, StringComparison.Ordinal);
}
