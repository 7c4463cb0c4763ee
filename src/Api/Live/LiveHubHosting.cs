using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;

namespace Fleet.Api.Live;

/// <summary>The live hub's wiring (called from the agent hub's, since it feeds it).</summary>
public static class LiveHubHosting
{
    public static WebApplicationBuilder AddLiveHub(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR().AddJsonProtocol(o => FleetJson.Configure(o.PayloadSerializerOptions));
        builder.Services.AddSingleton<LiveFanout>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveFanout>());
        return builder;
    }

    public static WebApplication MapLiveHub(this WebApplication app)
    {
        app.MapHub<LiveHub>(HubRoutes.Live);
        return app;
    }
}
