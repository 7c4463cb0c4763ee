namespace Fleet.Api.Common;

/// <summary>What a request is for: the REST API and hubs (answered in JSON) or a dashboard page a browser asked for.</summary>
public static class RequestKinds
{
    /// <summary>The REST API, the hubs and the OpenAPI document: errors are ProblemDetails, never a redirect or a page.</summary>
    public static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase)
        || request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase);

    /// <summary>A browser navigating to a page (GET or HEAD, accepting HTML, not the API): errors are the dashboard's pages.</summary>
    public static bool IsPage(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && !IsApi(context.Request)
        && context.Request.Headers.Accept.Any(a => a is not null && a.Contains("text/html", StringComparison.OrdinalIgnoreCase));
}
