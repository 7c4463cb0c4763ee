using StackExchange.Redis;

namespace Fleet.Api.Replication;

/// <summary>
/// The one Redis connection of this replica (<c>ConnectionStrings:Redis</c>), shared by the SignalR backplane and the
/// live relay. Opened on first use; a Redis that is down at start, or goes away later, is retried in the background
/// for ever (<see cref="ConfigurationOptions.AbortOnConnectFail"/> off), so the Api starts and keeps serving its own
/// agents and dashboards without it.
/// </summary>
public sealed class RedisConnection(string connectionString, ILogger<RedisConnection> logger) : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _multiplexer = new(() => ConnectAsync(connectionString, logger));

    /// <summary>The multiplexer (connected, or retrying in the background).</summary>
    public Task<IConnectionMultiplexer> GetAsync() => _multiplexer.Value;

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer.IsValueCreated)
        {
            await (await _multiplexer.Value).DisposeAsync();
        }
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(string connectionString, ILogger logger)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.ClientName ??= "fleet-api";
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options);
        multiplexer.ConnectionFailed += (_, e) => RedisLog.ConnectionFailed(logger, e.EndPoint?.ToString(), e.FailureType.ToString());
        multiplexer.ConnectionRestored += (_, e) => RedisLog.ConnectionRestored(logger, e.EndPoint?.ToString());
        return multiplexer;
    }
}

internal static partial class RedisLog
{
    [LoggerMessage(EventId = 3311, Level = LogLevel.Warning, Message = "Redis connection to {EndPoint} lost ({Failure}): other replicas' agents and dashboards wait; retrying")]
    public static partial void ConnectionFailed(ILogger logger, string? endPoint, string failure);

    [LoggerMessage(EventId = 3310, Level = LogLevel.Information, Message = "Redis connection to {EndPoint} restored")]
    public static partial void ConnectionRestored(ILogger logger, string? endPoint);
}
