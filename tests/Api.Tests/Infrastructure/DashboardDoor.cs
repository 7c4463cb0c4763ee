using System.Security.Claims;
using Fleet.Api.Security;
using Fleet.Web.Doctor;
using Fleet.Web.Policies;
using Fleet.Web.Settings;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>
/// The dashboard's door into the running Api: its data services (<see cref="ISettingsCommands"/>,
/// <see cref="IPolicyCommands"/>, <see cref="ILinkSpeedTests"/>) resolved from the Api's own container in a request scope whose user is the
/// principal given to <see cref="As"/>, as the pages call them. With <see cref="AsApiKey"/> the caller is the principal the
/// REST door's bearer key authenticates as, so both doors' audit rows name the same actor.
/// </summary>
public sealed class DashboardDoor(AsyncServiceScope scope) : IAsyncDisposable
{
    public ISettingsCommands Settings => scope.ServiceProvider.GetRequiredService<ISettingsCommands>();

    public IPolicyCommands Policy => scope.ServiceProvider.GetRequiredService<IPolicyCommands>();

    public IPolicyQuery PolicyQuery => scope.ServiceProvider.GetRequiredService<IPolicyQuery>();

    public ILinkSpeedTests SpeedTests => scope.ServiceProvider.GetRequiredService<ILinkSpeedTests>();

    public Fleet.Web.Aggregators.IAggregatorSites AggregatorSites => scope.ServiceProvider.GetRequiredService<Fleet.Web.Aggregators.IAggregatorSites>();

    /// <summary>The dashboard as <paramref name="principal"/>. Synchronous on purpose: the accessor's async-local value must flow to the caller.</summary>
    public static DashboardDoor As(FleetApiFactory api, ClaimsPrincipal principal)
    {
        var scope = api.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>().HttpContext = new DefaultHttpContext { User = principal, RequestServices = scope.ServiceProvider };
        return new DashboardDoor(scope);
    }

    /// <summary>The principal an API key named <paramref name="name"/> with <paramref name="role"/> authenticates as (the bootstrap key by default).</summary>
    public static ClaimsPrincipal AsApiKey(string role = FleetRoles.Admin, string name = "bootstrap-admin") =>
        Principal(PrincipalKinds.ApiKey, Guid.NewGuid(), name, role);

    /// <summary>A signed-in user's principal.</summary>
    public static ClaimsPrincipal AsUser(Guid id, string userName, string role) => Principal(PrincipalKinds.User, id, userName, role);

    private static ClaimsPrincipal Principal(string kind, Guid id, string name, string role) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, id.ToString()),
            new Claim(ClaimTypes.Name, name),
            new Claim(ClaimTypes.Role, role),
            new Claim(FleetClaims.Kind, kind),
        ],
        "test",
        ClaimTypes.Name,
        ClaimTypes.Role));

    public ValueTask DisposeAsync() => scope.DisposeAsync();
}
