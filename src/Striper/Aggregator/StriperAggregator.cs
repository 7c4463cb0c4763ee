using System.Net;
using System.Net.Sockets;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Striper.Engine;
using Fleet.Striper.Paths;
using Fleet.Striper.Tun;
using Fleet.Striper.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// A striper endpoint serving many sites on one UDP port and one TUN device (docs/striper-protocol.md, "Aggregator").
/// Each site has its own key, session, replay windows, resequencing, health and scheduling — an engine of its own, as
/// a point-to-point link's end, without threads of its own: three workers drive every site (receive: the socket to the
/// sites' receive loops and the device; transmit: the device to the sites' sending loops; control: every site's
/// control round). <see cref="Update"/> adds, changes and removes sites while the others carry traffic.
/// </summary>
public sealed partial class StriperAggregator : IDisposable
{
    private static readonly TimeSpan s_quiesceTimeout = TimeSpan.FromSeconds(5);
    private readonly ILogger _logger;
    private readonly StriperEngineOptions _options;
    private readonly Lock _updateLock = new();
    private readonly ReceiveWorker _receive;
    private readonly TransmitWorker _transmit;
    private readonly ControlWorker _control;
    private readonly Thread[] _threads;
    private AggregatorSites _sites = AggregatorSites.Empty;
    private AggregatorSpec _spec;
    private volatile bool _stopping;
    private bool _disposed;

    private StriperAggregator(AggregatorSpec spec, TunDevice tun, UdpPathSocket socket, int mtu, StriperEngineOptions options, ILogger logger)
    {
        _spec = spec;
        _options = options;
        _logger = logger;
        Tun = tun;
        Socket = socket;
        TunMtu = mtu;
        _receive = new ReceiveWorker(this);
        _transmit = new TransmitWorker(this);
        _control = new ControlWorker(this);
        _threads =
        [
            new Thread(() => RunWorker("receive", _receive.Run)) { IsBackground = true, Name = $"aggr-rx-{tun.Name}" },
            new Thread(() => RunWorker("transmit", _transmit.Run)) { IsBackground = true, Name = $"aggr-tx-{tun.Name}" },
            new Thread(_control.Run) { IsBackground = true, Name = $"aggr-ctl-{tun.Name}" },
        ];
    }

    /// <summary>The TUN device's name.</summary>
    public string DeviceName => Tun.Name;

    /// <summary>The TUN device's MTU (every site's packets must fit it).</summary>
    public int TunMtu { get; }

    /// <summary>The spec in force.</summary>
    public AggregatorSpec Spec => Volatile.Read(ref _spec);

    internal TunDevice Tun { get; }

    internal UdpPathSocket Socket { get; }

    internal AggregatorSites Sites => Volatile.Read(ref _sites);

    internal SessionTags Tags { get; } = new();

    internal AggregatorCounters Counters { get; } = new();

    internal bool Stopping => _stopping;

    internal ManualResetEventSlim StopSignal { get; } = new();

    /// <summary>
    /// Validates <paramref name="spec"/>, creates the TUN device (up, with its MTU) and the UDP socket, starts one engine
    /// per site and the workers. Addresses and routes on the device are the caller's business.
    /// </summary>
    public static StriperAggregator Start(AggregatorSpec spec, StriperEngineOptions? options = null, ILogger? logger = null)
    {
        options ??= new StriperEngineOptions();
        logger ??= NullLogger.Instance;
        ThrowIfInvalid(spec);
        var (tun, socket, mtu) = NetworkNamespace.Run(options.NetworkNamespacePath, () => CreateDevices(spec, options));
        var aggregator = new StriperAggregator(spec, tun, socket, mtu, options, logger);
        try
        {
            aggregator.Publish([.. spec.Sites.Select(aggregator.StartSite)]);
            aggregator.LogStarted(tun.Name, socket.LocalPort, mtu, spec.Sites.Count);
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
            snapshots[i] = new AggregatorSiteSnapshot((int)sites[i].Id, Volatile.Read(ref gate.ForeignSource), Volatile.Read(ref gate.LinkScoped), engine.GetSnapshot());
        }

        var c = Counters;
        return new AggregatorSnapshot
        {
            Time = DateTimeOffset.UtcNow,
            Device = Tun.Name,
            Mtu = TunMtu,
            Port = Socket.LocalPort,
            Datagrams = Volatile.Read(ref c.Datagrams),
            Malformed = Volatile.Read(ref c.Malformed) + Volatile.Read(ref c.Truncated),
            VersionMismatch = Volatile.Read(ref c.VersionMismatch),
            UnknownSite = Volatile.Read(ref c.UnknownSite),
            UnknownSession = Volatile.Read(ref c.UnknownSession),
            BadPathId = Volatile.Read(ref c.BadPathId),
            TagCollisions = Tags.Collisions,
            TunPackets = Volatile.Read(ref c.TunPackets),
            NoRoute = Volatile.Read(ref c.NoRoute),
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
        _receive.Wake();
        _transmit.Wake();
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

        _receive.Dispose();
        _transmit.Dispose();
        Socket.Dispose();
        Tun.Dispose();
        StopSignal.Dispose();
        LogStopped(Tun.Name);
    }

    private static void ThrowIfInvalid(AggregatorSpec spec)
    {
        var errors = AggregatorSpecValidator.Validate(spec);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid aggregator spec: " + string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")), nameof(spec));
        }
    }

    private static (TunDevice Tun, UdpPathSocket Socket, int Mtu) CreateDevices(AggregatorSpec spec, StriperEngineOptions options)
    {
        var address = spec.Address is null ? null : IPAddress.Parse(spec.Address);
        var family = address?.AddressFamily ?? AddressFamily.InterNetwork;
        var socket = UdpPathSocket.Open(family, address, spec.Port, spec.Interface, options.SocketBufferBytes, options.UseOffloads);
        try
        {
            // As a link's end (LinkDevices): every site's datagrams must fit the aggregator's interface.
            var outer = (family == AddressFamily.InterNetworkV6 ? 40 : 20) + 8 + WireFormat.DataOverhead;
            var mtu = spec.Mtu ?? Math.Max(576, (InterfaceControl.GetMtu(spec.Interface) ?? 1500) - outer);
            var tun = TunDevice.Create(spec.Name, new TunRequest(options.UseOffloads, options.MultiQueue));
            InterfaceControl.SetMtu(tun.Name, mtu);
            InterfaceControl.SetTxQueueLength(tun.Name, options.TxQueueLength);
            InterfaceControl.SetUp(tun.Name);
            return (tun, socket, mtu);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private AggregatorSite StartSite(AggregatorSiteSpec spec)
    {
        var site = new AggregatorSite(spec, () => Sites);
        var hosting = new EngineHosting
        {
            SiteId = site.Id,
            Tun = Tun,
            Socket = Socket,
            ClaimSession = keys => Tags.TryClaim(site, keys.RxTag),
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

        _receive.Wake();
        _transmit.Wake();
        var deadline = DateTime.UtcNow + s_quiesceTimeout;
        while (Volatile.Read(ref _receive.SeenGeneration) < next.Generation || Volatile.Read(ref _transmit.SeenGeneration) < next.Generation
            || Volatile.Read(ref _control.SeenGeneration) < next.Generation)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the aggregator's workers did not take the new sites");
            }

            Thread.Sleep(1);
        }
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

    [LoggerMessage(EventId = 4030, Level = LogLevel.Information, Message = "Striper aggregator {Device} started: port {Port}, MTU {Mtu}, {Sites} sites")]
    private partial void LogStarted(string device, int port, int mtu, int sites);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Information, Message = "Striper aggregator {Device}: site {Site} stopped")]
    private partial void LogSiteStopped(string device, uint site);

    [LoggerMessage(EventId = 4032, Level = LogLevel.Error, Message = "Striper aggregator {Device}: {Worker} worker failed; restarting it")]
    private partial void LogWorkerFailed(string worker, string device, Exception exception);

    [LoggerMessage(EventId = 4033, Level = LogLevel.Information, Message = "Striper aggregator {Device} stopped")]
    private partial void LogStopped(string device);
}
