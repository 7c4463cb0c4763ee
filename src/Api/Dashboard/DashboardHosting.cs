using Fleet.Api.Doctor;
using Fleet.Web;
using Fleet.Web.Account;
using Fleet.Web.Aggregators;
using Fleet.Web.Alerts;
using Fleet.Web.Doctor;
using Fleet.Web.Events;
using Fleet.Web.Hosts;
using Fleet.Web.Links;
using Fleet.Web.Overview;
using Fleet.Web.Policies;
using Fleet.Web.Settings;

namespace Fleet.Api.Dashboard;

/// <summary>
/// Hosts the dashboard (Fleet.Web, Blazor static SSR) in the Api: <c>builder.AddFleetDashboard()</c> and
/// <c>app.MapFleetDashboard()</c> in Program.cs, after the Api's authentication and authorization.
/// </summary>
public static class DashboardHosting
{
    /// <summary>Registers the pages and the data services they read and change the Api's database through.</summary>
    public static WebApplicationBuilder AddFleetDashboard(this WebApplicationBuilder builder)
    {
        // Serve Fleet.Web's static files (CSS, ES modules, npm libraries) from the build output too, not only in the
        // Development environment: tests and `dotnet run` start the Api from bin/. Published apps carry the files in
        // wwwroot and have no runtime manifest, so there this is a no-op.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        services.AddFleetDashboardPages();
        services.AddScoped<ILatestMemberValues, DatabaseLatestMemberValues>();
        services.AddScoped<FleetSnapshot>();
        services.AddScoped<LinkTrendQuery>();
        services.AddScoped<IFleetOverviewQuery, DashboardOverviewQuery>();
        services.AddScoped<IHostDetailsQuery, DashboardHostQuery>();
        services.AddScoped<ILinkDetailsQuery, DashboardLinkQuery>();
        services.AddScoped<ILinkSeriesQuery, DashboardSeriesQuery>();
        services.AddScoped<ILinkClassSeriesQuery, DashboardClassSeriesQuery>();
        services.AddScoped<ILinkDiagnosisQuery>(sp => sp.GetRequiredService<LinkDoctorQuery>());
        services.AddScoped<ILinkSpeedTests, DashboardSpeedTests>();
        services.AddScoped<IAggregatorSites, DashboardAggregatorSites>();
        services.AddScoped<ILinkSpeedTestSchedule, DashboardSpeedTestSchedule>();
        services.AddScoped<IEventQuery, DashboardEventQuery>();
        services.AddScoped<IPolicyQuery, DashboardPolicyQuery>();
        services.AddScoped<IPolicyCommands, DashboardPolicyCommands>();
        services.AddScoped<DashboardAlerts>();
        services.AddScoped<IAlertQuery>(sp => sp.GetRequiredService<DashboardAlerts>());
        services.AddScoped<IAlertCommands>(sp => sp.GetRequiredService<DashboardAlerts>());
        services.AddScoped<DashboardSettings>();
        services.AddScoped<ISettingsQuery>(sp => sp.GetRequiredService<DashboardSettings>());
        services.AddScoped<ISettingsCommands>(sp => sp.GetRequiredService<DashboardSettings>());
        return builder;
    }

    /// <summary>Maps the pages and their static files.</summary>
    public static WebApplication MapFleetDashboard(this WebApplication app)
    {
        // Runs after the Api's UseAuthentication/UseAuthorization/UseAntiforgery (MapFleetApi), so the user is known.
        app.UseMiddleware<DashboardPostGuard>();
        // CSS and scripts are public (the sign-in page needs them); the Api's fallback policy would demand a login.
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().Add(static endpoint =>
        {
            // The Api's minimal endpoint owns POST /account/login; the page only renders the form (GET). Without
            // this both would match the post and routing would fail with an ambiguous match.
            if (endpoint is RouteEndpointBuilder route
                && string.Equals(route.RoutePattern.RawText?.Trim('/'), AccountRoutes.LoginPage.Trim('/'), StringComparison.OrdinalIgnoreCase))
            {
                foreach (var methods in endpoint.Metadata.OfType<HttpMethodMetadata>().ToList())
                {
                    endpoint.Metadata.Remove(methods);
                }

                endpoint.Metadata.Add(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
            }
        });
        return app;
    }
}
