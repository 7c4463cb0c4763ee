using System.Security.Claims;
using Fleet.Web.Account;
using Fleet.Web.Formatting;
using Fleet.Web.Settings;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Fleet.Web.Layout;

/// <summary>The frame of every signed-in page: brand, navigation, the user with their role, sign-out.</summary>
public partial class MainLayout
{
    private const string LogoutPath = AccountRoutes.Logout;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [Inject]
    private ViewerTimeZone TimeZone { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private ClaimsPrincipal User { get; set; } = new();

    private bool IsSignedIn => User.Identity?.IsAuthenticated == true;

    private bool IsAdmin => User.IsInRole(DashboardRoles.Admin);

    private string UserName => User.Identity?.Name ?? "";

    private string Role => DashboardUser.RoleOf(User);

    private string SkipHref => new Uri(Navigation.Uri).PathAndQuery + "#main";

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        if (AuthenticationState is not null)
        {
            User = (await AuthenticationState).User;
        }
    }
}
