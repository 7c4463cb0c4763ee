using Fleet.Api.Links;
using Fleet.Api.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Replication;

/// <summary>
/// <c>builder.AddFleetReplication()</c>: the in-process link change feed and, when
/// <c>ConnectionStrings:Redis</c> is set, what makes several replicas one Api: the SignalR Redis backplane (a push to
/// a host's group reaches its agent on whichever replica it is connected to) and the live relay. Without Redis the
/// Api is one replica and needs neither.
/// </summary>
public static class ReplicationHosting
{
    /// <summary>The connection string name of the Redis server shared by the replicas.</summary>
    public const string RedisConnectionStringName = "Redis";

    public static WebApplicationBuilder AddFleetReplication(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ReplicationOptions>().BindConfiguration(ReplicationOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReplicationOptions>, ReplicationOptionsValidator>();
        services.AddSingleton<ReplicaIdentity>();
        services.AddSingleton<LinkChangeFeed>();
        services.AddSingleton<ILinkChangeFeed>(sp => sp.GetRequiredService<LinkChangeFeed>());

        var redis = builder.Configuration.GetConnectionString(RedisConnectionStringName);
        services.AddSingleton(new ReplicaTopology(!string.IsNullOrWhiteSpace(redis)));
        if (string.IsNullOrWhiteSpace(redis))
        {
            return builder;
        }

        services.AddSingleton(sp => new RedisConnection(redis, sp.GetRequiredService<ILogger<RedisConnection>>()));
        services.AddSignalR().AddStackExchangeRedis();

        // Only the agent hub crosses replicas. The dashboards' hub sends to its own connections (samples, states) and to
        // its own replica's overview group, which every replica wakes by itself from the relayed states: on the
        // backplane each dashboard would get every replica's FleetChanged and each connection Redis subscriptions
        // nothing uses.
        services.AddSingleton<HubLifetimeManager<LiveHub>, DefaultHubLifetimeManager<LiveHub>>();
        services.AddOptions<RedisOptions>().Configure<RedisConnection>((o, connection) => o.ConnectionFactory = async _ => await connection.GetAsync());
        services.AddSingleton<RedisLiveRelay>();
        services.AddSingleton<ILiveRelay>(sp => sp.GetRequiredService<RedisLiveRelay>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisLiveRelay>());
        return builder;
    }
}

/// <summary>Whether this process is one of several replicas joined by the Redis backplane.</summary>
/// <param name="Backplane">True when <c>ConnectionStrings:Redis</c> is set.</param>
public sealed record ReplicaTopology(bool Backplane);
