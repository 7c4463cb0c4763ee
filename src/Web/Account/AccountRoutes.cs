namespace Fleet.Web.Account;

/// <summary>
/// The cookie sign-in endpoints the Api implements (form posts with antiforgery) and the page the dashboard renders.
/// The login form posts <c>userName</c>, <c>password</c> and <c>returnUrl</c>; on failure the Api redirects back to
/// <see cref="LoginPage"/> with <c>?error=invalid</c> (or <c>locked</c> when rate limited) and the return URL.
/// </summary>
public static class AccountRoutes
{
    /// <summary>The sign-in page (GET), rendered by the dashboard.</summary>
    public const string LoginPage = "/account/login";

    /// <summary>The sign-in form's target (POST), handled by the Api.</summary>
    public const string Login = "/account/login";

    /// <summary>The sign-out form's target (POST), handled by the Api.</summary>
    public const string Logout = "/account/logout";
}
