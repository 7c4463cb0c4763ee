using System.Collections.Concurrent;
using System.Threading.Channels;
using Fleet.Api.Dashboard;
using Fleet.Contracts.Live;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Api.Live;

/// <summary>
/// Keeps the dashboards that show the fleet overview up to date (issue 19): after a link's state or health changed (at
/// most once per <see cref="MinimumGap"/>) and every <see cref="Heartbeat"/> besides (throughput, hosts going silent),
/// rebuilds the overview's <see cref="FleetSnapshotCache"/> and then tells those dashboards
/// (<see cref="ILiveClient.FleetChanged"/>), which fetch the page again. Rebuilding before telling means that what they
/// fetch is no older than the change; the page, its order and totals are rendered by the server as on a page load, so
/// the browser holds no second copy of the health, ordering or counting rules. Nothing runs while nobody follows.
/// </summary>
public sealed partial class LiveFleetOverview(
    IHubContext<LiveHub, ILiveClient> hub,
    FleetSnapshotCache cache,
    TimeProvider time,
    ILogger<LiveFleetOverview> logger) : BackgroundService
{
    /// <summary>The SignalR group of the connections that follow the overview.</summary>
    public const string Group = "fleet-overview";

    /// <summary>
    /// At most one rebuild and push per this interval. A fleet's loss crosses the warning threshold somewhere nearly
    /// every second (the demo's does), and each push makes every overview fetch its page: the link page is the
    /// 4-per-second view, the overview a summary two seconds fresh.
    /// </summary>
    public static readonly TimeSpan MinimumGap = TimeSpan.FromSeconds(2);

    /// <summary>How often the overview is pushed without a change (throughput moves every second, offline hosts by silence).</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    /// <summary>How long one push to the group may take before the loop goes on without waiting for it.</summary>
    private static readonly TimeSpan s_sendTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, byte> _followers = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>How many connections follow the overview.</summary>
    public int Followers => _followers.Count;

    /// <summary>A connection follows the overview.</summary>
    public async Task SubscribeAsync(string connectionId, CancellationToken cancellationToken)
    {
        await hub.Groups.AddToGroupAsync(connectionId, Group, cancellationToken);
        _followers[connectionId] = 0;
    }

    /// <summary>A connection stops following the overview.</summary>
    public async Task UnsubscribeAsync(string connectionId)
    {
        _followers.TryRemove(connectionId, out _);
        await hub.Groups.RemoveFromGroupAsync(connectionId, Group);
    }

    /// <summary>A connection went away (SignalR leaves its groups by itself).</summary>
    public void Disconnected(string connectionId) => _followers.TryRemove(connectionId, out _);

    /// <summary>A link's state or health changed (here or on another replica).</summary>
    public void LinkChanged()
    {
        if (!_followers.IsEmpty)
        {
            _wake.Writer.TryWrite(true);
        }
    }

    /// <summary>Rebuilds the snapshot and tells the followers; the loop calls it, tests call it directly.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        await cache.RefreshAsync(cancellationToken);
        try
        {
            await hub.Clients.Group(Group).FleetChanged().WaitAsync(s_sendTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // A dashboard that stopped reading holds the group's send; the others got theirs, and the next round goes on.
            LogSendSlow(s_sendTimeout.TotalSeconds);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await WaitForChangeOrHeartbeatAsync(stoppingToken);
                if (_followers.IsEmpty)
                {
                    continue;
                }

                try
                {
                    await PublishAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPublishFailed(ex);
                }

                await Task.Delay(MinimumGap, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WaitForChangeOrHeartbeatAsync(CancellationToken stoppingToken)
    {
        using var heartbeat = new CancellationTokenSource(Heartbeat, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, heartbeat.Token);
        try
        {
            await _wake.Reader.WaitToReadAsync(either.Token);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Telling the dashboards that the fleet overview changed failed")]
    private partial void LogPublishFailed(Exception exception);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Warning, Message = "Telling the dashboards that the fleet overview changed took longer than {Seconds} s (a dashboard stopped reading)")]
    private partial void LogSendSlow(double seconds);
}
