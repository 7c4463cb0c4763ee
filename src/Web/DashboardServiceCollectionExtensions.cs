using Fleet.Web.Formatting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fleet.Web;

/// <summary>What the dashboard's pages need from DI besides the data services the host implements.</summary>
public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Razor components (static SSR), the cascading authentication state, the viewer's time zone and a clock. The host
    /// also registers the data services: <c>IFleetOverviewQuery</c>, <c>IHostDetailsQuery</c>, <c>ILinkDetailsQuery</c>,
    /// <c>ILinkSeriesQuery</c>, <c>IEventQuery</c>, <c>IPolicyQuery</c>, <c>IPolicyCommands</c>, <c>ISettingsQuery</c>,
    /// <c>ISettingsCommands</c>, <c>IAlertQuery</c>, <c>IAlertCommands</c>.
    /// </summary>
    public static IServiceCollection AddFleetDashboardPages(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddCascadingAuthenticationState();
        services.AddHttpContextAccessor();
        services.AddAntiforgery();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<ViewerTimeZone>();
        return services;
    }
}
