using Fleet.Api.Alerts.Rules;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Metrics;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Live;

/// <summary>
/// Routes stored samples and link state changes to the dashboards subscribed on <c>/hubs/live</c>, coalesced to at most
/// <see cref="LiveLimits.MaxUpdatesPerSecond"/> pushes per second per subscription: what arrives between two pushes is
/// sent together (samples appended, states latest-wins). The parts: <see cref="LiveFeeds"/> (who follows what, ring
/// buffers), <see cref="LiveSnapshots"/> (what a new subscription starts from), <see cref="LivePusher"/> (sending, one
/// queue per connection, slow dashboards skipped and dropped); this class ties them together, runs the push loop and
/// hands this replica's own publications to the other replicas (<see cref="ILiveRelay"/>).
/// </summary>
public sealed partial class LiveFanout : BackgroundService
{
    /// <summary>Most subscriptions one dashboard connection may hold.</summary>
    public const int MaxSubscriptionsPerConnection = 2_000;

    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(20);

    /// <summary>How long an idle loop sleeps at most: the sweeps' own cadence (once a minute) needs no finer wake-up.</summary>
    private static readonly TimeSpan s_idleWake = TimeSpan.FromSeconds(10);

    private readonly DirtySubscriptions _dirty;
    private readonly LiveFeeds _feeds;
    private readonly LiveSnapshots _snapshots;
    private readonly LivePusher _pusher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILiveRelay? _relay;
    private readonly LiveCounters? _counters;
    private readonly LiveFleetOverview? _fleet;
    private readonly LatestSamples? _latest;

    public LiveFanout(
        IHubContext<LiveHub, ILiveClient> hub,
        IDbContextFactory<FleetDbContext> contexts,
        TimeProvider time,
        ILogger<LiveFanout> logger,
        ILiveRelay? relay = null,
        IOptions<FleetOptions>? options = null,
        LiveCounters? counters = null,
        LiveFleetOverview? fleet = null,
        LatestSamples? latest = null)
    {
        var dirty = new DirtySubscriptions();
        _dirty = dirty;
        _feeds = new LiveFeeds(time, dirty);
        _snapshots = new LiveSnapshots(_feeds, contexts, time);
        _pusher = new LivePusher(hub, _feeds, dirty, time, (options?.Value.Live ?? new LiveOptions()).SendTimeout, logger);
        _time = time;
        _logger = logger;
        _relay = relay;
        _counters = counters;
        _fleet = fleet;
        _latest = latest;
    }

    /// <summary>Stored samples of one host (called by the ingest pipeline after the write is durable); also relayed to the other replicas.</summary>
    public void PublishSamples(Guid hostId, IReadOnlyList<MemberSample> samples)
    {
        DeliverSamples(hostId, samples);
        _relay?.SamplesStored(hostId, samples);
    }

    /// <summary>Samples stored by this replica or by another one: to this replica's subscribers and ring buffers.</summary>
    public void DeliverSamples(Guid hostId, IReadOnlyList<MemberSample> samples)
    {
        _feeds.DeliverSamples(hostId, samples);
        _counters?.Record(samples);
        _latest?.Record(samples);
    }

    /// <summary>
    /// A link's rollout state recorded here (an agent's report, a new generation): to this replica's subscribers and
    /// relayed to the other replicas.
    /// </summary>
    public void PublishState(LiveLinkState state)
    {
        DeliverState(state);
        _relay?.StateChanged(state);
    }

    /// <summary>A state change recorded by this replica or by another one: to this replica's subscribers.</summary>
    public void DeliverState(LiveLinkState state)
    {
        _feeds.DeliverState(state);
        _counters?.SetPhase(state.LinkId, state.Phase);
        _fleet?.LinkChanged();
    }

    /// <summary>Subscribes a connection to a link (every member) and returns the snapshot.</summary>
    public Task<LinkLiveSnapshot> SubscribeLinkAsync(string connectionId, Guid linkId, CancellationToken cancellationToken) =>
        _snapshots.SubscribeLinkAsync(connectionId, linkId, view: null, cancellationToken);

    /// <summary>Subscribes a connection to a link (every member, or what <paramref name="view"/> names) and returns the snapshot.</summary>
    public Task<LinkLiveSnapshot> SubscribeLinkAsync(string connectionId, Guid linkId, LiveLinkView? view, CancellationToken cancellationToken) =>
        _snapshots.SubscribeLinkAsync(connectionId, linkId, view, cancellationToken);

    /// <summary>Subscribes a connection to every link of a host and returns their snapshots.</summary>
    public Task<HostLiveSnapshot> SubscribeHostAsync(string connectionId, Guid hostId, CancellationToken cancellationToken) =>
        _snapshots.SubscribeHostAsync(connectionId, hostId, cancellationToken);

    /// <summary>Ends one subscription.</summary>
    public void Unsubscribe(string connectionId, bool host, Guid id) => _feeds.Unsubscribe(connectionId, host, id);

    /// <summary>A dashboard connected (so that a slow one can be aborted).</summary>
    public void Connected(HubCallerContext context) => _pusher.Connected(context);

    /// <summary>A dashboard disconnected: forget its subscriptions.</summary>
    public void Disconnected(string connectionId)
    {
        _feeds.Disconnected(connectionId);
        _pusher.Disconnected(connectionId);
    }

    /// <summary>How many subscriptions a connection holds (0 once it was dropped or went away).</summary>
    public int SubscriptionCount(string connectionId) => _feeds.SubscriptionCount(connectionId);

    /// <summary>Converts a link row to the state the dashboard shows.</summary>
    public static LiveLinkState ToState(LinkEntity link) => new()
    {
        LinkId = link.Id,
        HostId = link.HostId,
        Phase = link.Phase,
        DesiredGeneration = link.DesiredGeneration,
        ObservedGeneration = link.ObservedGeneration,
        Error = link.LastError,
        Time = new DateTimeOffset(DateTime.SpecifyKind(link.PhaseChangedAt, DateTimeKind.Utc)),
    };

    /// <summary>Hands what is due to the connections (the push loop calls this every tick; tests call it directly).</summary>
    internal void Flush() => _pusher.Flush();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // While something waits for its push, every tick; idle, until something arrives (or the sweeps are due).
                if (_pusher.HasWork)
                {
                    await Task.Delay(s_tick, _time, stoppingToken);
                }
                else
                {
                    await _dirty.WaitAsync(s_idleWake, _time, stoppingToken);
                }

                try
                {
                    _pusher.Flush();
                    _feeds.SweepUnwatched();
                    _pusher.SweepIdle();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFlushFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Pushing live updates failed")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
