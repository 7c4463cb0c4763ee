using System.Collections.Concurrent;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Live;

/// <summary>
/// Routes stored samples and link state changes to the dashboards subscribed on <c>/hubs/live</c>, coalesced to at most
/// <see cref="LiveLimits.MaxUpdatesPerSecond"/> pushes per second per subscription: what arrives between two pushes is
/// sent together (samples appended, states latest-wins). Keeps a <see cref="SampleRingBuffer"/> for every watched link;
/// the first subscriber of a link fills it from the raw samples table, later samples are appended as they are stored.
/// A link nobody watched for <see cref="LiveLimits.RingBufferMinutes"/> minutes loses its buffer.
/// </summary>
public sealed partial class LiveFanout : BackgroundService
{
    /// <summary>Most subscriptions one dashboard connection may hold.</summary>
    public const int MaxSubscriptionsPerConnection = 2_000;

    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan s_minimumGap = TimeSpan.FromSeconds(1.0 / LiveLimits.MaxUpdatesPerSecond);
    private static readonly TimeSpan s_keepUnwatched = TimeSpan.FromMinutes(LiveLimits.RingBufferMinutes);

    private readonly ConcurrentDictionary<Guid, LinkFeed> _links = new();
    private readonly ConcurrentDictionary<Guid, HostFeed> _hosts = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<(bool Host, Guid Id), Subscription>> _connections = new();
    private readonly ConcurrentQueue<Subscription> _dirty = new();
    private readonly List<Subscription> _waiting = [];
    private readonly IHubContext<LiveHub, ILiveClient> _hub;
    private readonly IDbContextFactory<FleetDbContext> _contexts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILiveRelay? _relay;
    private long _lastSweep;

    public LiveFanout(IHubContext<LiveHub, ILiveClient> hub, IDbContextFactory<FleetDbContext> contexts, TimeProvider time, ILogger<LiveFanout> logger, ILiveRelay? relay = null)
    {
        _relay = relay;
        _hub = hub;
        _contexts = contexts;
        _time = time;
        _logger = logger;
        _lastSweep = time.GetTimestamp();
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
        _hosts.TryGetValue(hostId, out var hostFeed);
        foreach (var group in GroupByLink(samples))
        {
            var linkId = group.Key;
            if (!_links.TryGetValue(linkId, out var feed) && hostFeed is not null)
            {
                // A link created after its host was subscribed: start its buffer now.
                feed = _links.GetOrAdd(linkId, id => new LinkFeed(id, hostId, loaded: true));
            }

            if (feed is not null)
            {
                feed.Ring.Add(group.Value);
                foreach (var subscription in feed.Subscribers.Values)
                {
                    subscription.AddSamples(linkId, group.Value, this);
                }
            }

            if (hostFeed is not null)
            {
                foreach (var subscription in hostFeed.Subscribers.Values)
                {
                    subscription.AddSamples(linkId, group.Value, this);
                }
            }
        }
    }

    /// <summary>
    /// A link's rollout state an agent reported here: to this replica's subscribers and relayed to the other replicas.
    /// (A new generation's state is not relayed: every replica delivers it itself, from the link change feed.)
    /// </summary>
    public void PublishState(LiveLinkState state)
    {
        DeliverState(state);
        _relay?.StateChanged(state);
    }

    /// <summary>A state change recorded by this replica or by another one: to this replica's subscribers.</summary>
    public void DeliverState(LiveLinkState state)
    {
        if (_links.TryGetValue(state.LinkId, out var feed))
        {
            foreach (var subscription in feed.Subscribers.Values)
            {
                subscription.SetState(state, this);
            }
        }

        if (_hosts.TryGetValue(state.HostId, out var hostFeed))
        {
            foreach (var subscription in hostFeed.Subscribers.Values)
            {
                subscription.SetState(state, this);
            }
        }
    }

    /// <summary>Subscribes a connection to a link and returns the snapshot.</summary>
    public async Task<LinkLiveSnapshot> SubscribeLinkAsync(string connectionId, Guid linkId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        var link = await db.Links.AsNoTracking().Where(l => l.Id == linkId && l.DeletedAt == null).SingleOrDefaultAsync(cancellationToken)
            ?? throw new HubException($"link {linkId} does not exist");
        var feed = _links.GetOrAdd(linkId, id => new LinkFeed(id, link.HostId, loaded: false));
        Register(connectionId, host: false, linkId, feed.Subscribers);
        var state = ToState(link);
        return new LinkLiveSnapshot { LinkId = linkId, State = state, Samples = await SnapshotAsync(feed, db, cancellationToken) };
    }

    /// <summary>Subscribes a connection to every link of a host and returns their snapshots.</summary>
    public async Task<HostLiveSnapshot> SubscribeHostAsync(string connectionId, Guid hostId, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Hosts.AnyAsync(h => h.Id == hostId, cancellationToken))
        {
            throw new HubException($"host {hostId} does not exist");
        }

        var hostFeed = _hosts.GetOrAdd(hostId, _ => new HostFeed());
        Register(connectionId, host: true, hostId, hostFeed.Subscribers);
        var links = await db.Links.AsNoTracking().Where(l => l.HostId == hostId && l.DeletedAt == null).OrderBy(l => l.Name).ToListAsync(cancellationToken);
        var snapshots = new List<LinkLiveSnapshot>(links.Count);
        foreach (var link in links)
        {
            var feed = _links.GetOrAdd(link.Id, id => new LinkFeed(id, hostId, loaded: false));
            snapshots.Add(new LinkLiveSnapshot { LinkId = link.Id, State = ToState(link), Samples = await SnapshotAsync(feed, db, cancellationToken) });
        }

        return new HostLiveSnapshot { HostId = hostId, Links = snapshots };
    }

    /// <summary>Ends one subscription.</summary>
    public void Unsubscribe(string connectionId, bool host, Guid id)
    {
        if (_connections.TryGetValue(connectionId, out var subscriptions) && subscriptions.TryRemove((host, id), out var subscription))
        {
            Detach(subscription);
        }
    }

    /// <summary>A dashboard disconnected: forget its subscriptions.</summary>
    public void Disconnected(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out var subscriptions))
        {
            foreach (var subscription in subscriptions.Values)
            {
                Detach(subscription);
            }
        }
    }

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(s_tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FlushAsync();
                    SweepUnwatched();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFlushFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sends what is due (a subscription's previous push is at least a quarter second old).</summary>
    internal async Task FlushAsync()
    {
        while (_dirty.TryDequeue(out var subscription))
        {
            _waiting.Add(subscription);
        }

        if (_waiting.Count == 0)
        {
            return;
        }

        var now = _time.GetTimestamp();
        var sends = new List<Task>();
        for (var i = _waiting.Count - 1; i >= 0; i--)
        {
            var subscription = _waiting[i];
            if (subscription.Closed)
            {
                _waiting.RemoveAt(i);
                continue;
            }

            if (subscription.NextAllowed > now)
            {
                continue;
            }

            _waiting.RemoveAt(i);
            var (samples, states) = subscription.Take();
            subscription.NextAllowed = now + (long)(s_minimumGap.TotalSeconds * _time.TimestampFrequency);
            var client = _hub.Clients.Client(subscription.ConnectionId);
            foreach (var (linkId, list) in samples)
            {
                sends.Add(client.LinkSamples(linkId, list));
            }

            foreach (var (linkId, state) in states)
            {
                sends.Add(client.LinkState(linkId, state));
            }
        }

        try
        {
            await Task.WhenAll(sends);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A dashboard that went away; its subscriptions go when SignalR reports the disconnect.
            LogSendFailed(ex.Message);
        }
    }

    private void Register(string connectionId, bool host, Guid id, ConcurrentDictionary<string, Subscription> subscribers)
    {
        var subscriptions = _connections.GetOrAdd(connectionId, _ => new ConcurrentDictionary<(bool, Guid), Subscription>());
        if (subscriptions.ContainsKey((host, id)))
        {
            return;
        }

        if (subscriptions.Count >= MaxSubscriptionsPerConnection)
        {
            throw new HubException($"a connection may follow at most {MaxSubscriptionsPerConnection} links and hosts");
        }

        var subscription = new Subscription(connectionId, host, id);
        subscriptions[(host, id)] = subscription;
        subscribers[connectionId] = subscription;
    }

    private void Detach(Subscription subscription)
    {
        subscription.Closed = true;
        if (subscription.Host)
        {
            if (_hosts.TryGetValue(subscription.Id, out var hostFeed))
            {
                hostFeed.Subscribers.TryRemove(subscription.ConnectionId, out _);
            }
        }
        else if (_links.TryGetValue(subscription.Id, out var feed))
        {
            feed.Subscribers.TryRemove(subscription.ConnectionId, out _);
            feed.LastWatched = _time.GetTimestamp();
        }
    }

    private async Task<IReadOnlyList<MemberSample>> SnapshotAsync(LinkFeed feed, FleetDbContext db, CancellationToken cancellationToken)
    {
        feed.LastWatched = _time.GetTimestamp();
        if (feed.TryClaimLoad())
        {
            try
            {
                var since = UtcDateTimeConverter.ToStore(_time.GetUtcNow().UtcDateTime.AddMinutes(-LiveLimits.RingBufferMinutes));
                var rows = await db.Samples.AsNoTracking().Where(s => s.LinkId == feed.LinkId && s.Time >= since).OrderBy(s => s.Time).ToListAsync(cancellationToken);
                feed.Ring.Add(rows.Select(ToSample));
                feed.Loaded.TrySetResult();
            }
            catch (Exception ex)
            {
                feed.Loaded.TrySetException(ex);
                _links.TryRemove(feed.LinkId, out _);
                throw;
            }
        }

        await feed.Loaded.Task.WaitAsync(cancellationToken);
        return feed.Ring.Snapshot();
    }

    private void SweepUnwatched()
    {
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(_lastSweep, now) < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _lastSweep = now;
        foreach (var (linkId, feed) in _links)
        {
            var hostWatched = _hosts.TryGetValue(feed.HostId, out var hostFeed) && !hostFeed.Subscribers.IsEmpty;
            if (feed.Subscribers.IsEmpty && _time.GetElapsedTime(feed.LastWatched, now) > s_keepUnwatched && !hostWatched)
            {
                _links.TryRemove(linkId, out _);
            }
        }

        foreach (var (hostId, hostFeed) in _hosts)
        {
            if (hostFeed.Subscribers.IsEmpty)
            {
                _hosts.TryRemove(hostId, out _);
            }
        }
    }

    private static MemberSample ToSample(SampleEntity row) => new()
    {
        LinkId = row.LinkId,
        Member = row.Member,
        Time = new DateTimeOffset(DateTime.SpecifyKind(row.Time, DateTimeKind.Utc)),
        IntervalMs = row.IntervalMs,
        TxBytes = row.TxBytes,
        RxBytes = row.RxBytes,
        TxPackets = row.TxPackets,
        RxPackets = row.RxPackets,
        TxDrops = row.TxDrops,
        RxDrops = row.RxDrops,
        Errors = row.Errors,
        ReorderDepth = row.ReorderDepth,
        ReorderDepthMax = row.ReorderDepthMax,
        RttMs = row.RttMs,
        LossPercent = row.LossPercent,
        Health = row.Health,
    };

    private static Dictionary<Guid, List<MemberSample>> GroupByLink(IReadOnlyList<MemberSample> samples)
    {
        var groups = new Dictionary<Guid, List<MemberSample>>();
        foreach (var sample in samples)
        {
            if (!groups.TryGetValue(sample.LinkId, out var list))
            {
                list = [];
                groups[sample.LinkId] = list;
            }

            list.Add(sample);
        }

        return groups;
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Pushing live updates failed")]
    private partial void LogFlushFailed(Exception exception);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "A live push failed: {Error}")]
    private partial void LogSendFailed(string error);

    private sealed class LinkFeed(Guid linkId, Guid hostId, bool loaded)
    {
        private int _loadClaimed = loaded ? 1 : 0;

        public Guid LinkId { get; } = linkId;

        public Guid HostId { get; } = hostId;

        public SampleRingBuffer Ring { get; } = new();

        public ConcurrentDictionary<string, Subscription> Subscribers { get; } = new();

        public TaskCompletionSource Loaded { get; } = CreateLoaded(loaded);

        public long LastWatched { get; set; }

        public bool TryClaimLoad() => Interlocked.Exchange(ref _loadClaimed, 1) == 0;

        private static TaskCompletionSource CreateLoaded(bool loaded)
        {
            var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (loaded)
            {
                source.SetResult();
            }

            return source;
        }
    }

    private sealed class HostFeed
    {
        public ConcurrentDictionary<string, Subscription> Subscribers { get; } = new();
    }

    /// <summary>One connection following one link or host; holds what waits for the next push.</summary>
    private sealed class Subscription(string connectionId, bool host, Guid id)
    {
        private readonly Lock _gate = new();
        private Dictionary<Guid, List<MemberSample>> _samples = [];
        private Dictionary<Guid, LiveLinkState> _states = [];
        private bool _queued;

        public string ConnectionId { get; } = connectionId;

        public bool Host { get; } = host;

        public Guid Id { get; } = id;

        public volatile bool Closed;

        public long NextAllowed { get; set; }

        public void AddSamples(Guid linkId, List<MemberSample> samples, LiveFanout owner)
        {
            lock (_gate)
            {
                if (!_samples.TryGetValue(linkId, out var list))
                {
                    list = [];
                    _samples[linkId] = list;
                }

                list.AddRange(samples);
                Queue(owner);
            }
        }

        public void SetState(LiveLinkState state, LiveFanout owner)
        {
            lock (_gate)
            {
                _states[state.LinkId] = state;
                Queue(owner);
            }
        }

        public (Dictionary<Guid, List<MemberSample>> Samples, Dictionary<Guid, LiveLinkState> States) Take()
        {
            lock (_gate)
            {
                var taken = (_samples, _states);
                _samples = [];
                _states = [];
                _queued = false;
                return taken;
            }
        }

        private void Queue(LiveFanout owner)
        {
            if (!_queued)
            {
                _queued = true;
                owner._dirty.Enqueue(this);
            }
        }
    }
}
