using Fleet.Agent.Hub;
using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Api.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fleet.Api.Replication;

/// <summary>
/// Hears the other replicas: one dedicated connection (no pool) that <c>LISTEN</c>s on
/// <see cref="PostgresNotifier.LinkChannel"/> and <see cref="PostgresNotifier.LiveChannel"/> and waits for
/// notifications. Link changes go into this replica's in-process <see cref="LinkChangeFeed"/> (so spec delivery
/// pushes them to the agents connected here), samples and states to <see cref="LiveFanout"/>. Notifications from this
/// replica itself are ignored. When the connection is lost it is opened again with growing, jittered delays; since
/// notifications sent meanwhile are gone, every successful <c>LISTEN</c> with agents connected is followed by a
/// resync: the links of connected hosts that are not yet at their desired generation are delivered again, and links
/// deleted (hosts decommissioned) since the connection was lost are removed (closed). Live data of the gap is not
/// replayed (the database has it; a new subscription's snapshot shows it).
/// </summary>
internal sealed partial class PostgresListener : BackgroundService
{
    /// <summary>How far before the noticed loss deletions and decommissions are looked for on resync (clock skew, late detection).</summary>
    public static readonly TimeSpan ResyncMargin = TimeSpan.FromMinutes(2);

    private readonly FleetDatabase _database;
    private readonly Guid _self;
    private readonly LinkChangeFeed _feed;
    private readonly LiveFanout? _live;
    private readonly AgentConnections? _connections;
    private readonly IDbContextFactory<FleetDbContext> _contexts;
    private readonly ReplicationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public PostgresListener(
        FleetDatabase database,
        ReplicaIdentity replica,
        LinkChangeFeed feed,
        IServiceProvider services,
        IDbContextFactory<FleetDbContext> contexts,
        IOptions<ReplicationOptions> options,
        TimeProvider time,
        ILogger<PostgresListener> logger)
    {
        _database = database;
        _self = replica.Id;
        _feed = feed;

        // Optional: a host without the agent hub (and so without live fan-out) only forwards link changes.
        _live = services.GetService<LiveFanout>();
        _connections = services.GetService<AgentConnections>();
        _contexts = contexts;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_database.Provider != DatabaseProvider.Postgres)
        {
            return;
        }

        var connectionString = new NpgsqlConnectionStringBuilder(_database.ConnectionString)
        {
            Pooling = false,
            Enlist = false,
            KeepAlive = _options.KeepAliveSeconds,
            ApplicationName = "fleet-api listen",
        }.ConnectionString;
        var since = _time.GetUtcNow().UtcDateTime;
        var backoff = new ReconnectBackoff(_options.ReconnectMinDelay, _options.ReconnectMaxDelay);
        var connects = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += OnNotification;
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresNotifier.LinkChannel}; LISTEN {PostgresNotifier.LiveChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                connects++;
                LogListening(connects, backoff.Attempts);

                // Only once the resync is done is the gap closed: if it fails, the next one looks back as far.
                await ResyncAsync(since, stoppingToken);
                backoff.Reset();
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // From here on notifications may be missed: the resync after the next LISTEN covers them.
                if (backoff.Attempts == 0)
                {
                    since = _time.GetUtcNow().UtcDateTime;
                }

                var delay = backoff.Next();
                LogLost(ex.Message, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Delivers again what the agents connected here may have missed while nobody listened.</summary>
    private async Task ResyncAsync(DateTime lostAt, CancellationToken cancellationToken)
    {
        if (_connections is null || _connections.ConnectedHosts == 0)
        {
            return;
        }

        var since = UtcDateTimeConverter.ToStore(lostAt - ResyncMargin - TimeSpan.FromSeconds(_options.KeepAliveSeconds));
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        var unconverged = await db.Links.AsNoTracking()
            .Where(l => l.DeletedAt == null && l.ObservedGeneration < l.DesiredGeneration)
            .Select(l => new { l.Id, l.HostId, l.DesiredGeneration })
            .ToListAsync(cancellationToken);
        var deleted = await db.Links.AsNoTracking()
            .Where(l => l.DeletedAt != null && l.DeletedAt >= since)
            .Select(l => new { l.Id, l.HostId, l.DesiredGeneration })
            .ToListAsync(cancellationToken);
        var decommissioned = await db.Hosts.AsNoTracking()
            .Where(h => h.DecommissionedAt != null && h.DecommissionedAt >= since)
            .Select(h => h.Id)
            .ToListAsync(cancellationToken);

        var count = 0;
        foreach (var hostId in decommissioned.Where(_connections.IsConnected))
        {
            _feed.Publish(new LinkChange(LinkChangeKind.HostDecommissioned, hostId, Guid.Empty, 0));
            count++;
        }

        foreach (var link in deleted.Where(l => _connections.IsConnected(l.HostId)))
        {
            _feed.Publish(new LinkChange(LinkChangeKind.Deleted, link.HostId, link.Id, link.DesiredGeneration));
            count++;
        }

        foreach (var link in unconverged.Where(l => _connections.IsConnected(l.HostId)))
        {
            _feed.Publish(new LinkChange(LinkChangeKind.SpecChanged, link.HostId, link.Id, link.DesiredGeneration));
            count++;
        }

        LogResynced(count);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        try
        {
            switch (e.Channel)
            {
                case PostgresNotifier.LinkChannel:
                    var (origin, change) = ReplicationCodec.DecodeLinkChange(e.Payload);
                    if (origin != _self)
                    {
                        _feed.Publish(change);
                    }

                    break;
                case PostgresNotifier.LiveChannel when _live is not null && ReplicationCodec.LiveOrigin(e.Payload) != _self:
                    var live = ReplicationCodec.DecodeLive(e.Payload);
                    if (live.State is { } state)
                    {
                        _live.DeliverState(state);
                    }
                    else
                    {
                        _live.DeliverSamples(live.HostId, live.Samples);
                    }

                    break;
            }
        }
        catch (FormatException ex)
        {
            LogBadPayload(e.Channel, e.PID, ex.Message);
        }
        catch (Exception ex)
        {
            // Never into Npgsql's wait loop: one bad delivery must not cost the connection.
            LogDeliveryFailed(e.Channel, ex);
        }
    }

    [LoggerMessage(EventId = 3310, Level = LogLevel.Information, Message = "Listening for the other replicas' notifications (connect {Connects}, after {Failures} failed attempts)")]
    private partial void LogListening(int connects, int failures);

    [LoggerMessage(EventId = 3311, Level = LogLevel.Warning, Message = "The connection listening for the other replicas failed: {Error}; opening it again in {DelayMs:F0} ms")]
    private partial void LogLost(string error, double delayMs);

    [LoggerMessage(EventId = 3312, Level = LogLevel.Information, Message = "Resync after listening again: {Count} link changes delivered again to agents connected here")]
    private partial void LogResynced(int count);

    [LoggerMessage(EventId = 3314, Level = LogLevel.Error, Message = "Delivering a notification from {Channel} failed")]
    private partial void LogDeliveryFailed(string channel, Exception exception);

    [LoggerMessage(EventId = 3313, Level = LogLevel.Warning, Message = "An unreadable notification on {Channel} from backend {Pid} ignored: {Error}")]
    private partial void LogBadPayload(string channel, int pid, string error);
}
