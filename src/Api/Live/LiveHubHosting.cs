using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;

namespace Fleet.Api.Live;

/// <summary>The live hub's wiring (called from the agent hub's, since it feeds it).</summary>
public static class LiveHubHosting
{
    public static WebApplicationBuilder AddLiveHub(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR().AddJsonProtocol(o => FleetJson.Configure(o.PayloadSerializerOptions));
        builder.Services.AddSingleton<LiveFleetOverview>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveFleetOverview>());
        builder.Services.AddSingleton<LiveFanout>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveFanout>());
        builder.Services.AddSingleton<LiveLinkHealth>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveLinkHealth>());
        return builder;
    }

    public static WebApplication MapLiveHub(this WebApplication app)
    {
        // A session's cookie expires while its hub connection is open: close the connection then (revocation and the
        // absolute lifetime are HubSessions' part).
        app.MapHub<LiveHub>(HubRoutes.Live, o => o.CloseOnAuthenticationExpiration = true);
        return app;
    }
}
