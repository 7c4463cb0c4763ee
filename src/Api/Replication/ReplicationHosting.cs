using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Api.Live;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Replication;

/// <summary>
/// <c>services.AddFleetReplication()</c>: the link change feed, and on PostgreSQL its cross-replica delivery and the
/// live relay (PostgreSQL <c>LISTEN</c>/<c>NOTIFY</c>). On SQLite the feed stays in-process and nothing is sent.
/// </summary>
public static class ReplicationHosting
{
    public static IServiceCollection AddFleetReplication(this IServiceCollection services)
    {
        services.AddOptions<ReplicationOptions>().BindConfiguration(ReplicationOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ReplicationOptions>, ReplicationOptionsValidator>();
        services.AddSingleton<ReplicaIdentity>();
        services.AddSingleton<LinkChangeFeed>();
        services.AddSingleton<PostgresNotifier>();
        services.AddSingleton<ILiveRelay>(sp => sp.GetRequiredService<PostgresNotifier>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresNotifier>());
        services.AddSingleton<ILinkChangeFeed>(sp => sp.GetRequiredService<FleetDatabase>().Provider == DatabaseProvider.Postgres
            ? new ReplicatedLinkChangeFeed(sp.GetRequiredService<LinkChangeFeed>(), sp.GetRequiredService<PostgresNotifier>())
            : sp.GetRequiredService<LinkChangeFeed>());
        services.AddSingleton<PostgresListener>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgresListener>());
        return services;
    }
}
