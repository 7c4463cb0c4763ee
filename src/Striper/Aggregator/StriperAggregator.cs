using Fleet.Contracts.Links.Aggregators;
using Fleet.Striper.Engine;
using Fleet.Striper.Tun;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// A striper endpoint serving many sites on one UDP port and one TUN device (docs/striper-protocol.md, "Aggregator").
/// Each site has its own key, session, replay windows, resequencing, health and scheduling — an engine of its own, as
/// a point-to-point link's end, without threads of its own: the workers drive every site. Per lane (one per core by
/// default), a receive worker (its socket of an SO_REUSEPORT group to the receive loops of the sites pinned to the lane,
/// and the lane's TUN queue) and a transmit worker (its TUN queue to the sites' sending loops); one control worker runs
/// every site's control round. <see cref="Update"/> adds, changes and removes sites while the others carry traffic.
/// </summary>
public sealed partial class StriperAggregator : IDisposable
{
    private static readonly TimeSpan s_quiesceTimeout = TimeSpan.FromSeconds(5);
    private readonly ILogger _logger;
    private readonly StriperEngineOptions _options;
    private readonly Lock _updateLock = new();
    private readonly AggregatorLane[] _lanes;
    private readonly ReceiveWorker[] _receive;
    private readonly TransmitWorker[] _transmit;
    private readonly ControlWorker _control;
    private readonly Thread[] _threads;
    private AggregatorSites _sites;
    private AggregatorSpec _spec;
    private volatile bool _stopping;
    private bool _disposed;

    private StriperAggregator(AggregatorSpec spec, AggregatorLane[] lanes, int mtu, StriperEngineOptions options, ILogger logger)
    {
        _spec = spec;
        _options = options;
        _logger = logger;
        _lanes = lanes;
        _sites = AggregatorSites.Empty(lanes.Length);
        Tags = new SessionTags(lanes.Length);
        TunMtu = mtu;
        _receive = [.. lanes.Select(lane => new ReceiveWorker(this, lane))];
        _transmit = [.. lanes.Select(lane => new TransmitWorker(this, lane))];
        _control = new ControlWorker(this);
        var name = Tun.Name;
        var threads = new List<Thread>();
        for (var i = 0; i < lanes.Length; i++)
        {
            var receive = _receive[i];
            var transmit = _transmit[i];
            threads.Add(new Thread(() => RunWorker("receive", receive.Run)) { IsBackground = true, Name = $"aggr-rx{i}-{name}" });
            threads.Add(new Thread(() => RunWorker("transmit", transmit.Run)) { IsBackground = true, Name = $"aggr-tx{i}-{name}" });
        }

        threads.Add(new Thread(_control.Run) { IsBackground = true, Name = $"aggr-ctl-{name}" });
        _threads = [.. threads];
    }

    /// <summary>The TUN device's name.</summary>
    public string DeviceName => Tun.Name;

    /// <summary>The TUN device's MTU (every site's packets must fit it).</summary>
    public int TunMtu { get; }

    /// <summary>The spec in force.</summary>
    public AggregatorSpec Spec => Volatile.Read(ref _spec);

    /// <summary>How many receive and transmit workers run (one lane each).</summary>
    public int Workers => _lanes.Length;

    /// <summary>The first lane's queue: the device's name and features.</summary>
    internal TunDevice Tun => _lanes[0].Queue;

    internal AggregatorSites Sites => Volatile.Read(ref _sites);

    internal SessionTags Tags { get; }

    internal bool Stopping => _stopping;

    internal ManualResetEventSlim StopSignal { get; } = new();

    /// <summary>
    /// Validates <paramref name="spec"/>, creates the TUN device (up, with its MTU) and the workers' sockets and queues,
    /// starts one engine per site and the workers. Addresses and routes on the device are the caller's business.
    /// </summary>
    /// <param name="spec">The aggregator and its sites.</param>
    /// <param name="options">The engines' options (namespace, offloads, buffers), every site's the same.</param>
    /// <param name="logger">Where the aggregator and its sites log.</param>
    /// <param name="workers">Receive and transmit workers (one lane each); 0 for one per processor.</param>
    public static StriperAggregator Start(AggregatorSpec spec, StriperEngineOptions? options = null, ILogger? logger = null, int workers = 0)
    {
        options ??= new StriperEngineOptions();
        logger ??= NullLogger.Instance;
        ThrowIfInvalid(spec);
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        workers = workers == 0 ? Math.Max(1, Environment.ProcessorCount) : workers;
        var (lanes, mtu) = NetworkNamespace.Run(options.NetworkNamespacePath, () => AggregatorDevices.Create(spec, options, workers));
        var aggregator = new StriperAggregator(spec, lanes, mtu, options, logger);
        try
        {
            aggregator.Publish([.. spec.Sites.Select(aggregator.StartSite)]);
            aggregator.LogStarted(aggregator.Tun.Name, lanes[0].Socket.LocalPort, mtu, spec.Sites.Count, lanes.Length);
            foreach (var thread in aggregator._threads)
            {
                thread.Start();
            }

            return aggregator;
        }
        catch
        {
            aggregator.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Applies a new spec while traffic flows: sites added start, sites gone stop (their sessions end, their tags and
    /// prefixes are released), a site whose key, cipher or path count changed restarts, other changes (scheduler,
    /// prefixes, thresholds) apply live. The device, interface, address, port and MTU need a new aggregator; that throws.
    /// </summary>
    public void Update(AggregatorSpec desired)
    {
        ThrowIfInvalid(desired);
        lock (_updateLock)
        {
            var current = Spec;
            if (desired.Name != current.Name || desired.Interface != current.Interface || desired.Address != current.Address
                || desired.Port != current.Port || desired.Mtu != current.Mtu)
            {
                throw new InvalidOperationException("cannot change live: device, interface, address, port or MTU");
            }

            var old = Sites;
            var next = new List<AggregatorSite>();
            var stopped = new List<AggregatorSite>();
            foreach (var siteSpec in desired.Sites)
            {
                var linkSpec = siteSpec.ToLinkSpec(desired);
                if (old.ById.TryGetValue((uint)siteSpec.Id, out var site) && site.Engine.CanUpdateLive(linkSpec))
                {
                    site.Engine.Update(linkSpec);
                    site.Spec = siteSpec;
                    next.Add(site);
                    continue;
                }

                if (site is not null)
                {
                    stopped.Add(site);
                }

                next.Add(StartSite(siteSpec));
            }

            var kept = next.ToHashSet();
            stopped.AddRange(old.All.Where(s => !kept.Contains(s) && !stopped.Contains(s)));
            foreach (var site in stopped)
            {
                Tags.Release(site);
            }

            Publish([.. next]);
            Volatile.Write(ref _spec, desired);
            foreach (var site in stopped)
            {
                LogSiteStopped(Tun.Name, site.Id);
                site.Dispose();
            }
        }
    }

    /// <summary>Every counter of the aggregator and of each site.</summary>
    public AggregatorSnapshot GetSnapshot()
    {
        var sites = Sites.All;
        var snapshots = new AggregatorSiteSnapshot[sites.Length];
        for (var i = 0; i < sites.Length; i++)
        {
            var engine = sites[i].Engine;
            var gate = engine.Receiver.Sources!;
            snapshots[i] = new AggregatorSiteSnapshot((int)sites[i].Id, Volatile.Read(ref gate.ForeignSource), Volatile.Read(ref gate.LinkScoped), engine.GetSnapshot())
            {
                Worker = sites[i].Worker,
            };
        }

        var c = new AggregatorCounters();
        var workers = new AggregatorWorkerSnapshot[_lanes.Length];
        foreach (var lane in _lanes)
        {
            var l = lane.Counters;
            var datagrams = Volatile.Read(ref l.Datagrams);
            var tunPackets = Volatile.Read(ref l.TunPackets);
            workers[lane.Index] = new AggregatorWorkerSnapshot(lane.Index, datagrams, tunPackets);
            c.Datagrams += datagrams;
            c.TunPackets += tunPackets;
            c.Misrouted += Volatile.Read(ref l.Misrouted);
            c.Truncated += Volatile.Read(ref l.Truncated);
            c.Malformed += Volatile.Read(ref l.Malformed);
            c.VersionMismatch += Volatile.Read(ref l.VersionMismatch);
            c.UnknownSite += Volatile.Read(ref l.UnknownSite);
            c.UnknownSession += Volatile.Read(ref l.UnknownSession);
            c.BadPathId += Volatile.Read(ref l.BadPathId);
            c.NoRoute += Volatile.Read(ref l.NoRoute);
        }

        return new AggregatorSnapshot
        {
            Time = DateTimeOffset.UtcNow,
            Device = Tun.Name,
            Mtu = TunMtu,
            Port = _lanes[0].Socket.LocalPort,
            Datagrams = c.Datagrams,
            Misrouted = c.Misrouted,
            Malformed = c.Malformed + c.Truncated,
            VersionMismatch = c.VersionMismatch,
            UnknownSite = c.UnknownSite,
            UnknownSession = c.UnknownSession,
            BadPathId = c.BadPathId,
            TagCollisions = Tags.Collisions,
            TagRedraws = Tags.Redraws,
            TunPackets = c.TunPackets,
            NoRoute = c.NoRoute,
            Workers = workers,
            Sites = snapshots,
        };
    }

    /// <summary>Waits until site <paramref name="id"/> has a session; false on timeout or when there is no such site.</summary>
    public async Task<bool> WaitForSessionAsync(int id, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Sites.ById.TryGetValue((uint)id, out var site) && await site.Engine.WaitForSessionAsync(timeout, cancellationToken);

    /// <summary>Stops the workers and every site, and closes the socket and the TUN device (which removes it).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stopping = true;
        StopSignal.Set();
        WakeWorkers();
        foreach (var thread in _threads)
        {
            if (thread.IsAlive)
            {
                thread.Join(TimeSpan.FromSeconds(5));
            }
        }

        foreach (var site in Sites.All)
        {
            site.Dispose();
        }

        var name = Tun.Name;
        foreach (var worker in _receive)
        {
            worker.Dispose();
        }

        foreach (var worker in _transmit)
        {
            worker.Dispose();
        }

        foreach (var lane in _lanes)
        {
            lane.Dispose();
        }

        StopSignal.Dispose();
        LogStopped(name);
    }

    private static void ThrowIfInvalid(AggregatorSpec spec)
    {
        var errors = AggregatorSpecValidator.Validate(spec);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid aggregator spec: " + string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")), nameof(spec));
        }
    }

    private AggregatorSite StartSite(AggregatorSiteSpec spec)
    {
        var site = new AggregatorSite(spec, () => Sites, _lanes.Length);
        var lane = _lanes[site.Worker];
        var hosting = new EngineHosting
        {
            SiteId = site.Id,
            Tun = lane.Queue,
            Socket = lane.Socket,
            ClaimSession = keys => Tags.TryClaim(site, keys.RxTag),
            TagFits = _lanes.Length == 1 ? null : tag => WorkerSteering.WorkerOf(tag, _lanes.Length) == site.Worker,
            Sources = site,
        };
        site.Start(StriperEngine.Host(spec.ToLinkSpec(Spec), TunMtu, hosting, _options, _logger));
        return site;
    }

    /// <summary>Puts <paramref name="sites"/> in force and waits until no worker still uses the ones before.</summary>
    private void Publish(AggregatorSite[] sites)
    {
        var next = Sites.Next(sites);
        Volatile.Write(ref _sites, next);
        if (_threads.All(t => !t.IsAlive))
        {
            return;
        }

        WakeWorkers();
        var deadline = DateTime.UtcNow + s_quiesceTimeout;
        while (!AllSeen(next.Generation))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the aggregator's workers did not take the new sites");
            }

            Thread.Sleep(1);
        }
    }

    private void WakeWorkers()
    {
        foreach (var worker in _receive)
        {
            worker.Wake();
        }

        foreach (var worker in _transmit)
        {
            worker.Wake();
        }
    }

    private bool AllSeen(long generation)
    {
        foreach (var worker in _receive)
        {
            if (Volatile.Read(ref worker.SeenGeneration) < generation)
            {
                return false;
            }
        }

        foreach (var worker in _transmit)
        {
            if (Volatile.Read(ref worker.SeenGeneration) < generation)
            {
                return false;
            }
        }

        return Volatile.Read(ref _control.SeenGeneration) >= generation;
    }

    private void RunWorker(string name, Action loop)
    {
        while (!_stopping)
        {
            try
            {
                loop();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Edge of the data path: a bug must not take every site down for good. Log, back off, restart the loop.
                LogWorkerFailed(name, Tun.Name, ex);
                Thread.Sleep(100);
            }
        }
    }

    [LoggerMessage(EventId = 4030, Level = LogLevel.Information, Message = "Striper aggregator {Device} started: port {Port}, MTU {Mtu}, {Sites} sites, {Workers} workers")]
    private partial void LogStarted(string device, int port, int mtu, int sites, int workers);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Information, Message = "Striper aggregator {Device}: site {Site} stopped")]
    private partial void LogSiteStopped(string device, uint site);

    [LoggerMessage(EventId = 4032, Level = LogLevel.Error, Message = "Striper aggregator {Device}: {Worker} worker failed; restarting it")]
    private partial void LogWorkerFailed(string worker, string device, Exception exception);

    [LoggerMessage(EventId = 4033, Level = LogLevel.Information, Message = "Striper aggregator {Device} stopped")]
    private partial void LogStopped(string device);
}
