using Microsoft.AspNetCore.Components;

namespace Fleet.Web.Account;

/// <summary>The sign-in form; the Api's <see cref="AccountRoutes.Login"/> handler checks it and sets the cookie.</summary>
public partial class Login
{
    private const string FormAction = AccountRoutes.Login;

    /// <summary>Where to go after signing in (a local path only).</summary>
    [SupplyParameterFromQuery]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the previous attempt failed: <c>invalid</c> or <c>locked</c>.</summary>
    [SupplyParameterFromQuery]
    public string? Error { get; set; }

    /// <summary>The user name of the attempt that failed, typed in again for the user.</summary>
    [SupplyParameterFromQuery(Name = "user")]
    public string? UserName { get; set; }

    private bool HasUserName => !string.IsNullOrEmpty(UserName);

    private string SafeReturnUrl => LocalUrl.OrRoot(ReturnUrl);

    private string? ErrorMessage => Error switch
    {
        null or "" => null,
        "locked" => "Too many attempts. Wait a minute, then try again.",
        _ => "The user name or password is wrong.",
    };
}
