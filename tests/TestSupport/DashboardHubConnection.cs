using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Testing;

/// <summary>A connection to one of the Api's hubs as a dashboard makes it: negotiate, WebSockets, JSON, a bearer key or a cookie.</summary>
public static class DashboardHubConnection
{
    /// <summary>Builds (does not start) a connection to <paramref name="server"/>'s live hub with <paramref name="bearer"/>.</summary>
    public static HubConnection Build(Uri server, string bearer) => Build(server, HubRoutes.Live, bearer);

    /// <summary>
    /// Builds (does not start) a connection to the hub at <paramref name="route"/> of <paramref name="server"/>,
    /// authenticated by <paramref name="bearer"/>, by <paramref name="cookies"/> (a signed-in browser), or by neither.
    /// </summary>
    public static HubConnection Build(Uri server, string route, string? bearer, string? cookies = null) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(server, route.TrimStart('/')), HttpTransportType.WebSockets, o =>
            {
                if (bearer is not null)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(bearer);
                }

                if (cookies is { Length: > 0 })
                {
                    o.Headers["Cookie"] = cookies;
                }
            })
            .AddJsonProtocol(o => FleetJson.Configure(o.PayloadSerializerOptions))
            .Build();
}
