using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Testing;

/// <summary>A connection to the Api's <c>/hubs/live</c> as a dashboard makes it: negotiate, WebSockets, JSON, a bearer key.</summary>
public static class DashboardHubConnection
{
    /// <summary>Builds (does not start) a connection to <paramref name="server"/>'s live hub with <paramref name="bearer"/>.</summary>
    public static HubConnection Build(Uri server, string bearer) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(server, HubRoutes.Live.TrimStart('/')), o => o.AccessTokenProvider = () => Task.FromResult<string?>(bearer))
            .AddJsonProtocol(o => FleetJson.Configure(o.PayloadSerializerOptions))
            .Build();
}
