using Fleet.Contracts.Links;
using Fleet.Striper.Classes;
using Fleet.Striper.Crypto;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine;

/// <summary>
/// The control thread, a few hundred times a second: sends hellos until the session is confirmed, probes every path
/// (every probe interval, at once after a miss or a report of silence), checks local links, runs the health state
/// machines, feeds measurements to the schedulers, recomputes which paths may carry data, and rekeys.
/// </summary>
internal sealed class ControlLoop : IDisposable
{
    public const uint Stream = 1;
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(2);
    private readonly StriperEngine _engine;
    private readonly ControlSender _control;
    private readonly byte[] _mtuProbeBody;
    private readonly AeadCipher _helloCipher;
    private readonly double[] _nextLinkCheck;
    private readonly MemberHealth[] _lastState;
    private readonly StallDetector _stalls = new(s_tick.TotalSeconds);
    private double _nextHello;
    private long _rekeySession;
    private double _lastRekey;
    private long _epochStartMicros;

    public ControlLoop(StriperEngine engine)
    {
        _engine = engine;

        // As large as data: the full-size MTU probe is (docs/striper-protocol.md, "MTU probes").
        _control = new ControlSender(Stream, engine.MaxDatagram);
        _mtuProbeBody = new byte[engine.MaxDatagram - WireFormat.HeaderLength - WireFormat.TagLength];
        _helloCipher = new AeadCipher(engine.Cipher, engine.Sessions.HelloKey);
        _nextLinkCheck = new double[engine.Paths.Length];
        _lastState = new MemberHealth[engine.Paths.Length];
    }

    public long Rekeys { get; private set; }

    /// <summary>Times this host stalled the control thread (<see cref="StallDetector"/>).</summary>
    public long Stalls => _stalls.Count;

    public void Run()
    {
        while (!_engine.StopSignal.Wait(s_tick))
        {
            try
            {
                Tick();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The edge of the loop (docs/conventions.md, rule 12): log, back off, carry on.
                _engine.LogLoopError("control", ex);
                Thread.Sleep(50);
            }
        }
    }

    public void Dispose()
    {
        _control.Dispose();
        _helloCipher.Dispose();
    }

    /// <summary>One round of the control work (an aggregator's control worker calls this for each site it hosts).</summary>
    internal void Tick()
    {
        var nowTicks = MonotonicClock.Now();
        var now = MonotonicClock.Seconds(nowTicks);
        var keys = _engine.Session;
        var stalled = _stalls.Tick(now);

        SendHellos(now);
        _engine.MeasureCpu(now);

        var paths = _engine.Paths;
        var set = _engine.PathSet;
        var thresholds = _engine.Thresholds;
        var allDown = true;
        foreach (var path in paths)
        {
            var disabled = path.Member.AdminState == MemberAdminState.Disabled;
            lock (path.HealthLock)
            {
                var health = path.Health;
                health.UpdateThresholds(thresholds);
                if (now >= _nextLinkCheck[path.Index] || path.LinkDownSeen)
                {
                    _nextLinkCheck[path.Index] = now + Math.Min(0.05, thresholds.ProbeIntervalSeconds);
                    var up = path.Socket.DeviceRunning() && !path.LinkDownSeen;
                    path.LinkDownSeen = false;
                    health.OnLocalLink(up, now);
                }

                if (path.SuspectSeen)
                {
                    path.SuspectSeen = false;
                    health.OnStallReported(now);
                }

                if (stalled)
                {
                    // The receive threads get this long after the stall to read the answers waiting for them.
                    health.OnLocalStall(now, StallDetector.MinimumSeconds);
                }

                health.Evaluate(now);
                if (disabled)
                {
                    health.PauseNoAnswer();
                }
                else
                {
                    health.CheckNoAnswer(now, _engine.NoAnswerSeconds);
                }

                if (!disabled && keys is not null && path.Peer is { } peer && now >= health.NextProbeDue)
                {
                    SendProbe(keys, path, health.OnProbeSent(now), nowTicks, peer);
                }

                if (!disabled && keys is not null && path.Peer is { } probed && now >= path.MtuProbe.NextDueSeconds)
                {
                    SendMtuProbes(keys, path, now, nowTicks, probed);
                }

                allDown &= disabled || health.State == MemberHealth.Down;
                set.SrttSeconds[path.Index] = health.SrttSeconds;
                set.MinRttSeconds[path.Index] = health.MinRttSeconds;
                set.LossRatio[path.Index] = path.LossRatio;
                set.FecLossRatio[path.Index] = path.Loss.SustainedRatio;
                set.LossBurstLength[path.Index] = path.LossBursts.MeanLength;
                set.MeasuredRateBitsPerSecond[path.Index] = path.Capacity.RateBitsPerSecond;
                if (health.State != _lastState[path.Index])
                {
                    _engine.OnPathStateChanged(path.Member.Interface, _lastState[path.Index], health.State, health.Reason);
                    _lastState[path.Index] = health.State;
                }
            }
        }

        if (keys is not null && allDown)
        {
            lock (_engine.Sessions.HandshakeLock)
            {
                _engine.Sessions.Handshake.OnPeerSilent();
            }
        }

        var (usable, live, overflow) = TierSelection.Compute(paths);
        var primaryRate = 0.0;
        for (var i = 0; i < paths.Length; i++)
        {
            if ((usable & (1u << i)) != 0)
            {
                primaryRate += set.PlannedRate(i);
            }
        }

        set.PrimaryRateBitsPerSecond = primaryRate;
        set.OverflowMask = overflow;
        set.UsableMask = usable;
        set.LiveMask = live;
        Rekey(keys, now, nowTicks);
        _engine.Sessions.DisposeRetired(nowTicks);
    }

    private void SendHellos(double now)
    {
        // Nothing is asked of the handshake before a hello can go out: its first share is made when first needed, and
        // a listening end (an aggregator's site) has nowhere to send until the peer's first hello (issue 17).
        if (now < _nextHello || !AnyHelloPath())
        {
            return;
        }

        HelloContent hello;
        lock (_engine.Sessions.HandshakeLock)
        {
            if (!_engine.Sessions.Handshake.NeedsHello)
            {
                return;
            }

            hello = _engine.Sessions.Handshake.HelloToSend;
        }

        _nextHello = now + Math.Max(0.05, _engine.Thresholds.ProbeIntervalSeconds);
        foreach (var path in _engine.Paths)
        {
            if (path.Member.AdminState != MemberAdminState.Disabled && path.Peer is { } peer)
            {
                _control.SendHello(_helloCipher, path, _engine.CipherId, _engine.SiteId, hello, peer.Address);
            }
        }
    }

    private bool AnyHelloPath()
    {
        foreach (var path in _engine.Paths)
        {
            if (path.Member.AdminState != MemberAdminState.Disabled && path.Peer is not null)
            {
                return true;
            }
        }

        return false;
    }

    private void SendProbe(SessionKeys keys, PathRuntime path, uint id, long nowTicks, PeerAddress peer)
    {
        Span<byte> body = stackalloc byte[ProbeMessage.Length];
        new ProbeMessage
        {
            ProbeId = id,
            SendTimeMicros = MonotonicClock.Micros(nowTicks),
            NextGlobalSequence = (ulong)Volatile.Read(ref _engine.FlushedNextGlobal),
            LastGlobalOnPath = (ulong)Volatile.Read(ref path.LastGlobalSent),
            PathSequence = (uint)Volatile.Read(ref path.PathSequenceSent),
            LossTally = ProbeMessage.Tally(Volatile.Read(ref path.Rx.LostPackets), Volatile.Read(ref path.Rx.LossRuns)),
        }.Write(body);
        _control.Send(keys, path, MessageType.Probe, body, peer.Address);
    }

    /// <summary>
    /// A round of MTU probes on <paramref name="path"/>: a small and a full-size load datagram asking for an answer
    /// (docs/striper-protocol.md, "MTU probes"). Not while this end runs a speed test: its peer counts every load
    /// datagram of a path into the step in progress.
    /// </summary>
    private void SendMtuProbes(SessionKeys keys, PathRuntime path, double now, long nowTicks, PeerAddress peer)
    {
        var tally = path.MtuProbe;
        tally.NextDueSeconds = now + _engine.MtuProbeIntervalSeconds;
        if (_engine.SpeedTestRunning)
        {
            return;
        }

        var round = tally.BeginRound();
        Span<byte> body = _mtuProbeBody;
        var probe = new SpeedTestMessage
        {
            TestId = SpeedTestMessage.MtuProbeTestId,
            Answer = true,
            Sequence = round,
            SendTimeMicros = MonotonicClock.Micros(nowTicks),
        };
        var small = body[..SpeedTestMessage.MinLength];
        (probe with { Step = SpeedTestMessage.MtuProbeSmallStep }).Write(small);
        tally.OnSent(large: false, _control.Send(keys, path, MessageType.SpeedTest, small, peer.Address));
        (probe with { Step = SpeedTestMessage.MtuProbeLargeStep }).Write(body);
        tally.OnSent(large: true, _control.Send(keys, path, MessageType.SpeedTest, body, peer.Address));
    }

    private void Rekey(SessionKeys? keys, double now, long nowTicks)
    {
        if (keys is null)
        {
            return;
        }

        if (keys.Id != _rekeySession)
        {
            _rekeySession = keys.Id;
            _lastRekey = now;
            _epochStartMicros = (long)MonotonicClock.Micros(nowTicks);
            return;
        }

        // The peer opens our epoch e + 1 but not e + 2 (docs/striper-protocol.md, "Keys and rekeying"). Move on only
        // once it answered a probe sent after the current epoch began, so sealed with it: then it holds this epoch's
        // key and will take the next. Through an outage the sender rekeys once and waits, and the two ends are never
        // more than one epoch apart, however long the outage lasts.
        if (now - _lastRekey < _engine.RekeyIntervalSeconds || keys.NewestAnsweredProbeMicros <= _epochStartMicros)
        {
            return;
        }

        _lastRekey = now;
        _epochStartMicros = (long)MonotonicClock.Micros(nowTicks);
        var old = keys.Rekey();
        Rekeys++;
        _engine.Sessions.Retire(old, TimeSpan.FromSeconds(2));
    }
}
