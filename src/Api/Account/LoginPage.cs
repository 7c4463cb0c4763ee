using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace Fleet.Api.Account;

/// <summary>
/// A minimal server-rendered login form at <c>GET /account/login</c>, posting to <see cref="AccountEndpoints.LoginPath"/>
/// with the antiforgery token. A stand-in: the dashboard renders its own page at the same route and removes the
/// <c>MapLoginPage()</c> call.
/// </summary>
public static class LoginPage
{
    public static IEndpointConventionBuilder MapLoginPage(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(AccountEndpoints.LoginPath, Render)
            .AllowAnonymous()
            .ExcludeFromDescription();

    private static IResult Render(HttpContext context, IAntiforgery antiforgery, string? error, string? returnUrl)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = HtmlEncoder.Default;
        var message = error is null ? "" : "<p role=\"alert\">Wrong user name or password.</p>";
        var back = AccountEndpoints.IsLocalPath(returnUrl) ? returnUrl! : "/";
        var page = $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Fleet · Log in</title></head>
            <body>
            <main>
            <h1>Fleet</h1>
            {message}
            <form method="post" action="{AccountEndpoints.LoginPath}">
            <input type="hidden" name="{html.Encode(tokens.FormFieldName)}" value="{html.Encode(tokens.RequestToken ?? "")}">
            <input type="hidden" name="returnUrl" value="{html.Encode(back)}">
            <label>User name <input name="userName" autocomplete="username" required autofocus></label>
            <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
            <button type="submit">Log in</button>
            </form>
            </main>
            </body>
            </html>
            """;
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content(page, "text/html; charset=utf-8");
    }
}
