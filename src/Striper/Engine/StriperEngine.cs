using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Validation;
using Fleet.Striper.Classes;
using Fleet.Striper.Crypto;
using Fleet.Striper.Engine.Receiving;
using Fleet.Striper.Health;
using Fleet.Striper.Interop;
using Fleet.Striper.Scheduling;
using Fleet.Striper.Tun;
using Fleet.Striper.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Striper.Engine;

/// <summary>
/// One endpoint of a striper link (docs/striper-protocol.md): a TUN device whose packets are striped over
/// one UDP path per member to the peer, sealed with an AEAD, resequenced at the far end, with health probes on every
/// path. Three threads: sending (TUN to paths), receiving (paths to TUN) and control (handshake, probes, health,
/// rekeying). <see cref="Update(LinkSpec)"/> changes the scheduler, weights, hints, member admin states, tiers and traffic classes while traffic flows.
/// </summary>
public sealed partial class StriperEngine : IDisposable
{
    private readonly ILogger _logger;
    private readonly Action<string, MemberHealth>? _pathStateChanged;
    private readonly TransmitLoop _transmit;
    private readonly ReceiveLoop _receive;
    private readonly ControlLoop _control;
    private readonly EngineHosting? _hosting;
    private readonly Thread? _transmitThread;
    private readonly Thread? _receiveThread;
    private readonly Thread? _controlThread;
    private volatile bool _stopping;
    private IStripeScheduler _scheduler;
    private LinkSpec _spec;
    private StriperPolicy _policy;
    private ClassTable _classes;
    private HealthThresholds _thresholds;
    private bool _disposed;

    /// <summary>Global sequence number the sending thread will use next, published after every flush (probes carry it).</summary>
    internal long FlushedNextGlobal = 1;

    private StriperEngine(LinkSpec spec, StriperPolicy policy, TunDevice tun, PathRuntime[] paths, int tunMtu, StriperEngineOptions options, ILogger logger,
        EngineHosting? hosting = null)
    {
        _spec = spec;
        _hosting = hosting;
        SiteId = hosting?.SiteId ?? (uint)(spec.Striper!.SiteId ?? 0);
        LogName = hosting is null ? tun.Name : $"{tun.Name}/site {hosting.SiteId}";
        NoAnswerSeconds = options.NoAnswerTimeout.TotalSeconds;
        MtuProbeIntervalSeconds = Math.Max(0.1, options.MtuProbeInterval.TotalSeconds);
        _pathStateChanged = options.PathStateChanged;
        _policy = policy;
        _logger = logger;
        Tun = tun;
        Paths = paths;
        TunMtu = tunMtu;
        MaxDatagram = tunMtu + WireFormat.DataOverhead;
        var striper = spec.Striper!;
        Cipher = striper.Cipher;
        CipherId = striper.Cipher == StriperCipher.ChaCha20Poly1305 ? (byte)1 : (byte)0;
        Sessions = new LinkSession(striper.Cipher, striper.Key, hosting?.TagFits);
        PathSet = new PathSet(paths.Length);
        _thresholds = ThresholdsFrom(striper);
        _scheduler = StripeSchedulers.Create(striper.Scheduler, striper.SchedulerParameters);
        _classes = ClassTable.Build(policy, spec, tunMtu, null);
        ApplyMembers(spec, policy);
        if (hosting is null)
        {
            // Wakes its own threads' polls at shutdown; a hosted engine's loops are in its host's workers, which have their own.
            var wake = Libc.EventFd(0, Native.EFD_NONBLOCK | Native.EFD_CLOEXEC);
            if (wake.IsInvalid)
            {
                throw new NativeCallException("eventfd", LastError.Get());
            }

            WakeFd = wake;
        }

        _receive = new ReceiveLoop(this);
        _control = new ControlLoop(this);
        _transmit = new TransmitLoop(this);
        if (hosting is not null)
        {
            // The host's workers drive the loops (see EngineHosting).
            return;
        }

        _receiveThread = new Thread(() => RunLoop("receive", _receive.Run, ReceiveCpu)) { IsBackground = true, Name = $"striper-rx-{tun.Name}" };
        _controlThread = new Thread(_control.Run) { IsBackground = true, Name = $"striper-ctl-{tun.Name}" };
        _transmitThread = new Thread(() => RunLoop("transmit", _transmit.Run, TransmitCpu)) { IsBackground = true, Name = $"striper-tx-{tun.Name}" };
    }

    /// <summary>The TUN device's name.</summary>
    public string DeviceName => Tun.Name;

    /// <summary>TUN features the kernel accepted.</summary>
    public TunFeatures TunFeatures => Tun.Features;

    /// <summary>The TUN device's MTU.</summary>
    public int TunMtu { get; }

    /// <summary>True once a session with the peer is established.</summary>
    public bool SessionEstablished => Session is not null;

    /// <summary>The spec in force.</summary>
    public LinkSpec Spec => Volatile.Read(ref _spec);

    /// <summary>The tiers and traffic classes in force.</summary>
    public StriperPolicy Policy => Volatile.Read(ref _policy);

    internal TunDevice Tun { get; }

    /// <summary>
    /// The site id this end puts in its hellos' session tag field and accepts in the peer's (0: a point-to-point link;
    /// docs/striper-protocol.md, "Aggregator").
    /// </summary>
    internal uint SiteId { get; }

    /// <summary>How logs name this engine: the device, and the site for an engine an aggregator hosts.</summary>
    internal string LogName { get; }

    /// <summary>Null for an engine with its own threads, device and sockets; else what its host gave it.</summary>
    internal EngineHosting? Hosting => _hosting;

    internal ReceiveLoop Receiver => _receive;

    internal TransmitLoop Transmitter => _transmit;

    internal ControlLoop Controller => _control;

    internal PathRuntime[] Paths { get; }

    internal PathSet PathSet { get; }

    internal int MaxDatagram { get; }

    internal StriperCipher Cipher { get; }

    internal byte CipherId { get; }

    /// <summary>The session with the peer: handshake, keys in force, retired keys.</summary>
    internal LinkSession Sessions { get; }

    /// <summary>The eventfd its own threads poll besides their device or sockets (null for a hosted engine).</summary>
    internal FileDescriptorHandle? WakeFd { get; }

    internal ManualResetEventSlim StopSignal { get; } = new();

    internal bool Stopping => _stopping;

    internal SessionKeys? Session => Sessions.Current;

    internal IStripeScheduler Scheduler => Volatile.Read(ref _scheduler);

    /// <summary>The traffic classes compiled for the sending thread.</summary>
    internal ClassTable Classes => Volatile.Read(ref _classes);

    internal HealthThresholds Thresholds => Volatile.Read(ref _thresholds);

    /// <summary><see cref="StriperEngineOptions.NoAnswerTimeout"/> in seconds.</summary>
    internal double NoAnswerSeconds { get; }

    internal int MaxHoldMilliseconds => Spec.Striper!.MaxHoldMs;

    internal double RekeyIntervalSeconds => Spec.Striper!.RekeyIntervalSeconds;

    /// <summary>
    /// Validates <paramref name="spec"/>, creates the TUN device (named <see cref="LinkSpec.Name"/>, up, with its MTU)
    /// and one UDP socket per member, and starts the engine with the spec's tiers and traffic classes. Addresses and
    /// routes on the device are the caller's business (the agent backend and the standalone command set them with
    /// iproute2).
    /// </summary>
    public static StriperEngine Start(LinkSpec spec, StriperEngineOptions? options = null, ILogger? logger = null)
    {
        options ??= new StriperEngineOptions();
        logger ??= NullLogger.Instance;
        var errors = LinkSpecValidator.Validate(spec);
        if (errors.Count > 0 || spec.Kind != LinkKind.Striper)
        {
            var text = spec.Kind != LinkKind.Striper ? "kind must be striper" : string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}"));
            throw new ArgumentException($"invalid striper spec: {text}", nameof(spec));
        }

        var (tun, paths, mtu) = NetworkNamespace.Run(options.NetworkNamespacePath, () => LinkDevices.Create(spec, options));
        StriperEngine? engine = null;
        try
        {
            engine = new StriperEngine(spec, StriperPolicy.Of(spec), tun, paths, mtu, options, logger);
            engine.LogStarted(tun.Name, mtu, tun.Features.ToString(), paths.Length, LinkSpecValidator.SchedulerName(spec.Striper!.Scheduler));
            engine._receiveThread!.Start();
            engine._controlThread!.Start();
            engine._transmitThread!.Start();
            return engine;
        }
        catch
        {
            if (engine is not null)
            {
                engine.Dispose();
            }
            else
            {
                foreach (var path in paths)
                {
                    path.Dispose();
                }

                tun.Dispose();
            }

            throw;
        }
    }

    /// <summary>Waits until a session with the peer is established; false on timeout.</summary>
    public async Task<bool> WaitForSessionAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await Sessions.Ready.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>A consistent-enough copy of every counter (each value is read atomically; together they are not a transaction).</summary>
    public StriperSnapshot GetSnapshot() => SnapshotCollector.Collect(this, _receive, _transmit, _control);

    /// <summary>Stops the threads and closes the sockets and the TUN device (which removes it).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stopping = true;
        StopSignal.Set();
        if (WakeFd is not null)
        {
            unsafe
            {
                ulong one = 1;
                Libc.Write(WakeFd, &one, sizeof(ulong));
            }
        }

        foreach (var thread in new[] { _transmitThread, _receiveThread, _controlThread })
        {
            if (thread is { IsAlive: true })
            {
                thread.Join(TimeSpan.FromSeconds(5));
            }
        }

        StopSpeedTest();
        _transmit.Dispose();
        _receive.Dispose();
        _control.Dispose();
        foreach (var path in Paths)
        {
            path.Dispose();
        }

        if (_hosting is null)
        {
            Tun.Dispose();
        }

        WakeFd?.Dispose();
        Sessions.Dispose();
        StopSignal.Dispose();
        LogStopped(LogName);
    }

    /// <summary>
    /// Puts the handshake's new session in force. Caller holds the handshake lock. False when the host refused its
    /// receive tag (another site's session holds it): the handshake then goes on with a fresh share.
    /// </summary>
    internal bool TryEstablishSession()
    {
        if (Sessions.Establish(_hosting?.ClaimSession) is not { } keys)
        {
            LogSessionTagTaken(LogName);
            return false;
        }

        LogSessionEstablished(LogName, keys.Id);
        return true;
    }

    internal void LogLoopError(string loop, Exception exception) => LogLoopFailed(loop, LogName, exception);

    internal void LogVersionMismatch(string member, int version) =>
        LogPeerVersionMismatch(LogName, member, version, WireFormat.Version);

    /// <summary>
    /// Logs a path's change of health and tells the host (<see cref="StriperEngineOptions.PathStateChanged"/>). Between
    /// Up and Degraded only at debug level: under load a probe misses its timeout and the late answer undoes it, many
    /// times a minute (issue 20), and samples and events carry the health anyway; a change to or from Down or Unknown
    /// stays at information level.
    /// </summary>
    internal void OnPathStateChanged(string member, MemberHealth from, MemberHealth to, string reason)
    {
        if (from is (MemberHealth.Up or MemberHealth.Degraded) && to is (MemberHealth.Up or MemberHealth.Degraded))
        {
            LogPathFlapped(LogName, member, from, to, reason);
        }
        else
        {
            LogPathStateChanged(LogName, member, from, to, reason);
        }

        _pathStateChanged?.Invoke(member, to);
    }

    private void RunLoop(string name, Action loop, ThreadCpuMeter cpu)
    {
        cpu.Attach();
        while (!_stopping)
        {
            try
            {
                loop();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Edge of the data path: a bug must not take the link down for good. Log, back off, restart the loop.
                LogLoopFailed(name, LogName, ex);
                Thread.Sleep(100);
            }
        }
    }
}
