using Fleet.Api.Data;
using Fleet.Api.Doctor;
using Fleet.Api.Live;
using Fleet.Api.Samples.Ingest;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Agents;

/// <summary><c>builder.AddAgentHub()</c> and <c>app.MapAgentHub()</c>: the agent hub, ingestion, spec delivery.</summary>
public static class AgentHubHosting
{
    /// <summary>Largest message an agent may send (a batch of <see cref="BatchValidator.MaxSamples"/> samples fits).</summary>
    public const long MaxAgentMessageBytes = 4 * 1024 * 1024;

    /// <summary>Batches one agent may have in flight: the hub answers each only after it is durable (group commit).</summary>
    public const int MaxParallelInvocationsPerAgent = 16;

    public static WebApplicationBuilder AddAgentHub(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AgentHubOptions>().BindConfiguration(AgentHubOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentHubOptions>, AgentHubOptionsValidator>();
        // MessagePack is what agents speak; JSON stays for agents from before it (a rolling upgrade) and for dashboards.
        services.AddSignalR()
            .AddJsonProtocol(o => FleetJson.Configure(o.PayloadSerializerOptions))
            .AddMessagePackProtocol()
            .AddHubOptions<AgentHub>(o =>
            {
                o.MaximumReceiveMessageSize = MaxAgentMessageBytes;
                o.MaximumParallelInvocationsPerClient = MaxParallelInvocationsPerAgent;
                o.EnableDetailedErrors = false;
            });
        services.AddSingleton<IBatchStore>(sp => sp.GetRequiredService<FleetDatabase>().Provider == DatabaseProvider.Postgres
            ? ActivatorUtilities.CreateInstance<PostgresBatchStore>(sp)
            : ActivatorUtilities.CreateInstance<SqliteBatchStore>(sp));
        services.AddSingleton<LinkOwnership>();
        services.AddHostedService(sp => sp.GetRequiredService<LinkOwnership>());
        services.AddSingleton<AgentConnections>();
        services.AddSingleton<HostAgentsPush>();
        services.AddSingleton<HostPresence>();
        services.AddSingleton<AgentAudit>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentAudit>());
        services.AddSingleton<BatchQueueTracker>();
        services.AddHostedService(sp => sp.GetRequiredService<BatchQueueTracker>());
        services.AddSingleton<LinkStateRecorder>();
        services.AddSingleton<SpeedTestReports>();
        services.AddSingleton<HostActivity>();
        services.AddHostedService(sp => sp.GetRequiredService<HostActivity>());
        services.AddSingleton<SampleIngestion>();
        services.AddHostedService(sp => sp.GetRequiredService<SampleIngestion>());
        services.AddHostedService<SpecDelivery>();
        services.AddHostedService<PendingSpecResend>();
        builder.AddLiveHub();
        return builder;
    }

    public static WebApplication MapAgentHub(this WebApplication app)
    {
        app.UseWebSockets();
        // No stateful reconnect: its per-connection buffer ticks a timer and sends an acknowledgement every second on every
        // agent's connection, and delivery never depended on it (docs/agent.md, "Connection").
        app.MapHub<AgentHub>(HubRoutes.Agent);
        app.MapLiveHub();
        return app;
    }
}
