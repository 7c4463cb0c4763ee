using System.Security.Claims;
using Fleet.Web.Settings;

namespace Fleet.Web.Account;

/// <summary>What the dashboard needs to know about the signed-in user.</summary>
public static class DashboardUser
{
    /// <summary>The user's most privileged role (<c>viewer</c> when none is known).</summary>
    public static string RoleOf(ClaimsPrincipal user)
    {
        for (var i = DashboardRoles.All.Count - 1; i >= 0; i--)
        {
            if (user.IsInRole(DashboardRoles.All[i]))
            {
                return DashboardRoles.All[i];
            }
        }

        return DashboardRoles.Viewer;
    }

    /// <summary>Whether the user may change link policies.</summary>
    public static bool CanOperate(ClaimsPrincipal user) =>
        user.IsInRole(DashboardRoles.Operator) || user.IsInRole(DashboardRoles.Admin);

    /// <summary>Whether the user may manage users, API keys and enrollment tokens.</summary>
    public static bool CanAdminister(ClaimsPrincipal user) => user.IsInRole(DashboardRoles.Admin);
}
