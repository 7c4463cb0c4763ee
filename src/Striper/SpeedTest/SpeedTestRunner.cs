using System.Security.Cryptography;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Striper.Engine;
using Fleet.Striper.Paths;
using Fleet.Striper.Wire;

namespace Fleet.Striper.SpeedTest;

/// <summary>
/// The sending end of one speed test (docs/striper-protocol.md, "Speed test"), on a thread of its own with stream 3:
/// each path alone in three steps — a short one at the rate limit to find roughly what the path takes, one at 1.25 ×
/// that for the capacity and the round trip under load, one at 80 % of it for loss the test itself does not cause —
/// then every measured path at once. The load is paced in 1 ms rounds; every 20 ms one load datagram on each path asks
/// for an answer, and the receiver's answers are the measurement (<see cref="SpeedTestMath"/>).
/// </summary>
internal sealed class SpeedTestRunner : IDisposable
{
    public const uint Stream = 3;
    private const double QueryIntervalSeconds = 0.02;
    private const double MaxBacklogSeconds = 0.02;
    private const double OverOffer = 1.25;
    private const double LossLoad = 0.8;
    private const double FullLoss = 0.02;
    private const double QueueingMicros = 5000;
    private const int MaxRetries = 2;
    private static readonly TimeSpan s_answerWait = TimeSpan.FromSeconds(1);

    private readonly StriperEngine _engine;
    private readonly double _maxRate;
    private readonly ControlSender _sender;
    private readonly byte[] _body;
    private readonly List<AckSample>[] _acks;
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _answered = new();
    private readonly uint _testId;
    private byte _step;
    private bool _disposed;

    /// <param name="engine">The link end.</param>
    /// <param name="request">The test's rate limit.</param>
    /// <param name="sender">
    /// Stream 3's sender, the engine's for as long as its session lasts: a new counter per test would repeat the stream's
    /// nonces under the session's key (and the peer's replay window would refuse them).
    /// </param>
    public SpeedTestRunner(StriperEngine engine, SpeedTestRequest request, ControlSender sender)
    {
        _engine = engine;
        _maxRate = request.MaxRateBitsPerSecond;
        _sender = sender;
        _body = new byte[engine.MaxDatagram - WireFormat.HeaderLength - WireFormat.TagLength];
        _acks = new List<AckSample>[engine.Paths.Length];
        for (var i = 0; i < _acks.Length; i++)
        {
            _acks[i] = [];
        }

        _testId = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);
    }

    /// <summary>An answer came in on the receiving thread; kept when it belongs to this test's step in progress.</summary>
    public void OnAck(PathRuntime path, in SpeedTestAckMessage ack, long now)
    {
        var rtt = (double)(long)(MonotonicClock.Micros(now) - ack.EchoSendTimeMicros);
        lock (_lock)
        {
            // The receiving thread may still hold this runner when the test ends and disposes it.
            if (_disposed || ack.TestId != _testId || ack.Step != _step)
            {
                return;
            }

            _acks[path.Index].Add(new AckSample(ack.Sequence, ack.EchoSendTimeMicros, ack.ElapsedMicros, ack.LoadPackets, ack.DataPackets, ack.LoadBytes, ack.DataBytes, rtt));
            _answered.Set();
        }
    }

    public SpeedTestResult Run(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var startTicks = MonotonicClock.Now();
        var paths = _engine.Paths;
        var results = new PathSpeedResult[paths.Length];
        var capacities = new double[paths.Length];
        var measured = 0;
        for (var i = 0; i < paths.Length; i++)
        {
            results[i] = MeasureAlone(paths[i], cancellationToken);
            if (results[i].Measured)
            {
                capacities[i] = results[i].CapacityBitsPerSecond;
                measured++;
            }
        }

        var together = 0.0;
        if (measured >= 2)
        {
            var rates = new double[paths.Length];
            for (var i = 0; i < rates.Length; i++)
            {
                rates[i] = Math.Min(_maxRate, OverOffer * capacities[i]);
            }

            var step = RunStep(rates, 0.5, 0.15, cancellationToken);
            for (var i = 0; i < paths.Length; i++)
            {
                if (step[i] is { } m)
                {
                    results[i] = results[i] with { TogetherBitsPerSecond = m.RateBitsPerSecond };
                    together += m.RateBitsPerSecond;
                }
            }
        }

        var duration = TimeSpan.FromSeconds(MonotonicClock.Seconds(MonotonicClock.Now()) - MonotonicClock.Seconds(startTicks));
        return new SpeedTestResult(startedAt, duration, SpeedTestResult.ToPeer, results, together, null);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _answered.Dispose();
        }
    }

    private PathSpeedResult MeasureAlone(PathRuntime path, CancellationToken cancellationToken)
    {
        var member = path.Member.Interface;
        if (path.Member.AdminState == MemberAdminState.Disabled)
        {
            return Unmeasured(member, "disabled");
        }

        if (path.Peer is null)
        {
            return Unmeasured(member, "no peer address yet");
        }

        double idleRtt;
        lock (path.HealthLock)
        {
            idleRtt = path.Health.MinRttSeconds * 1000;
        }

        var rates = new double[_engine.Paths.Length];
        rates[path.Index] = _maxRate;
        // Once more when nothing came back: on a busy host the answers may all have come too late.
        if ((RunStep(rates, 0.2, 0.06, cancellationToken)[path.Index] ?? RunStep(rates, 0.2, 0.06, cancellationToken)[path.Index]) is not { } find)
        {
            return Unmeasured(member, "no answer from the peer (is it running a release with the speed test?)");
        }

        // A path is full when it drops load or queues it (the round trip grows): then what it delivered is its capacity.
        // One that took everything without a queue was not full — find saw less than it carries, or this host could not
        // send as fast as asked (a busy host runs this thread late) — so offer twice as much, up to the limit; when it
        // still is not full, the capacity is a lower bound.
        var offered = Math.Min(_maxRate, OverOffer * find.RateBitsPerSecond);
        StepMeasurement capacity;
        bool saturated;
        for (var attempt = 0; ; attempt++)
        {
            rates[path.Index] = offered;
            if (RunStep(rates, 0.5, 0.15, cancellationToken)[path.Index] is not { } step)
            {
                return Unmeasured(member, "no answer from the peer while loaded");
            }

            capacity = step;
            saturated = step.LossRatio >= FullLoss || step.MedianRttMicros > (idleRtt * 1000) + Math.Max(QueueingMicros, 2 * idleRtt * 1000);
            if (saturated || offered >= _maxRate || attempt == MaxRetries)
            {
                break;
            }

            offered = Math.Min(_maxRate, 2 * offered);
        }

        // Loss the path has below its capacity: the load takes 80 % of what it got when the path was full, user data the rest.
        rates[path.Index] = LossLoad * capacity.LoadRateBitsPerSecond;
        var loss = RunStep(rates, 0.3, 0.08, cancellationToken)[path.Index];
        return new PathSpeedResult(member, true, null, capacity.RateBitsPerSecond, 0, _maxRate, idleRtt,
            capacity.MedianRttMicros / 1000, loss is { } l ? l.LossRatio * 100 : 0, saturated);
    }

    private static bool IsIpv6(PathRuntime path) => path.Peer is { } peer && peer.Address.Length > 16;

    private static PathSpeedResult Unmeasured(string member, string problem) => new(member, false, problem, 0, 0, 0, 0, 0, 0, false);

    /// <summary>
    /// Sends load at <paramref name="rates"/> (bit/s per path, 0: none) for <paramref name="seconds"/>, then asks every
    /// loaded path once more and waits for the answers; measures each path from <paramref name="warmUpSeconds"/> on.
    /// </summary>
    private StepMeasurement?[] RunStep(double[] rates, double seconds, double warmUpSeconds, CancellationToken cancellationToken)
    {
        var paths = _engine.Paths;
        lock (_lock)
        {
            _step++;
            foreach (var list in _acks)
            {
                list.Clear();
            }
        }

        var sequences = new uint[paths.Length];
        var sentBytes = new double[paths.Length];
        var nextQuery = new double[paths.Length];
        var start = MonotonicClock.Now();
        var startSeconds = MonotonicClock.Seconds(start);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var elapsed = MonotonicClock.NowSeconds() - startSeconds;
            if (elapsed >= seconds || _engine.Stopping)
            {
                break;
            }

            for (var i = 0; i < paths.Length; i++)
            {
                if (rates[i] <= 0)
                {
                    continue;
                }

                var budget = (rates[i] / 8 * elapsed) - sentBytes[i];
                var backlog = rates[i] / 8 * MaxBacklogSeconds;
                if (budget > backlog)
                {
                    // This thread was not run for a while: what it missed beyond 20 ms (less than a shaper's queue
                    // usually holds, so the path stays busy) is not sent in one burst.
                    sentBytes[i] += budget - backlog;
                    budget = backlog;
                }

                while (budget >= _engine.MaxDatagram)
                {
                    var answer = elapsed >= nextQuery[i];
                    if (answer)
                    {
                        nextQuery[i] = elapsed + QueryIntervalSeconds;
                    }

                    // A datagram this host could not send is not the path's loss: its sequence goes to the next one.
                    if (Send(paths[i], sequences[i] + 1, answer))
                    {
                        sequences[i]++;
                    }

                    sentBytes[i] += _engine.MaxDatagram;
                    budget -= _engine.MaxDatagram;
                }
            }

            Thread.Sleep(1);
        }

        var endMicros = MonotonicClock.Micros(MonotonicClock.Now());
        for (var i = 0; i < paths.Length; i++)
        {
            if (rates[i] > 0)
            {
                Send(paths[i], sequences[i] + 1, answer: true);
            }
        }

        // The last question may be dropped by a full queue: any answer to one asked in the step's last two query
        // intervals will do as its end.
        WaitForAnswers(rates, endMicros - (ulong)(2 * QueryIntervalSeconds * 1e6), cancellationToken);
        var from = MonotonicClock.Micros(start) + (ulong)(warmUpSeconds * 1e6);
        var measurements = new StepMeasurement?[paths.Length];
        lock (_lock)
        {
            for (var i = 0; i < paths.Length; i++)
            {
                if (rates[i] > 0)
                {
                    var outer = SpeedTestMath.OuterHeaderBytes(IsIpv6(paths[i]));
                    measurements[i] = SpeedTestMath.Measure(_acks[i], from, outer);
                }
            }
        }

        return measurements;
    }

    /// <summary>Waits until every loaded path has answered a question asked at or after <paramref name="sinceMicros"/>, or the answers are overdue.</summary>
    private void WaitForAnswers(double[] rates, ulong sinceMicros, CancellationToken cancellationToken)
    {
        var deadline = MonotonicClock.NowSeconds() + s_answerWait.TotalSeconds;
        while (true)
        {
            _answered.Reset();
            if (AllAnswered(rates, sinceMicros))
            {
                return;
            }

            var left = deadline - MonotonicClock.NowSeconds();
            if (left <= 0 || _engine.Stopping)
            {
                return;
            }

            // In short waits: an engine being disposed waits for its test to end.
            _answered.Wait(TimeSpan.FromSeconds(Math.Min(left, 0.05)), cancellationToken);
        }
    }

    private bool AllAnswered(double[] rates, ulong sinceMicros)
    {
        lock (_lock)
        {
            for (var i = 0; i < rates.Length; i++)
            {
                if (rates[i] > 0 && !_acks[i].Exists(a => a.EchoSendMicros >= sinceMicros))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private bool Send(PathRuntime path, uint sequence, bool answer)
    {
        if (_engine.Session is not { } keys || path.Peer is not { } peer)
        {
            return false;
        }

        new SpeedTestMessage
        {
            TestId = _testId,
            Step = _step,
            Answer = answer,
            Sequence = sequence,
            SendTimeMicros = MonotonicClock.Micros(MonotonicClock.Now()),
        }.Write(_body);
        return _sender.Send(keys, path, MessageType.SpeedTest, _body, peer.Address) == SendResult.Sent;
    }
}
