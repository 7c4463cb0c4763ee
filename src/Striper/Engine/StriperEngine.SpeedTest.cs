using Fleet.Contracts.Doctor;
using Fleet.Striper.SpeedTest;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine;

public sealed partial class StriperEngine
{
    // Guards the three fields below: one test at a time, stream 3's one sender, and a test either published before
    // disposal looks for it or refused because the engine is stopping.
    private readonly Lock _speedTestGate = new();
    private SpeedTestRunner? _speedTest;
    private ControlSender? _speedTestSender;
    private Task<SpeedTestResult>? _speedTestTask;

    /// <summary>
    /// Runs a path speed test towards the peer (docs/striper-protocol.md, "Speed test"): each path alone, then all
    /// together, while user traffic keeps flowing; a few seconds. A test that cannot run (no session yet, another test
    /// running) is a result with <see cref="SpeedTestResult.Error"/>, not an exception.
    /// </summary>
    /// <exception cref="ArgumentException">The request has errors (<see cref="SpeedTestRequest.Validate"/>).</exception>
    public Task<SpeedTestResult> RunSpeedTestAsync(SpeedTestRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new SpeedTestRequest();
        if (request.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(request));
        }

        lock (_speedTestGate)
        {
            if (Session is null || Stopping)
            {
                return Task.FromResult(Refused(Stopping ? "the link is stopping" : "no session with the peer"));
            }

            if (_speedTest is not null)
            {
                return Task.FromResult(Refused("a speed test is already running on this link"));
            }

            // Stream 3 has one sender for the engine's life: a second one would start the stream's counter again
            // and repeat AES-GCM nonces under the session key.
            _speedTestSender ??= new ControlSender(SpeedTestRunner.Stream, MaxDatagram);
            var runner = new SpeedTestRunner(this, request, _speedTestSender);
            _speedTest = runner;

            // Not started with the caller's token: the finally must run to let the next test start.
            _speedTestTask = Task.Factory.StartNew(() =>
            {
                try
                {
                    return runner.Run(cancellationToken);
                }
                finally
                {
                    lock (_speedTestGate)
                    {
                        _speedTest = null;
                    }

                    runner.Dispose();
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            return _speedTestTask;
        }
    }

    /// <summary>
    /// On disposal, after the loops stopped: waits for a test still running (it ends its steps once the engine is
    /// stopping) and frees stream 3's sender; a test that does not end in time keeps its sender rather than have it
    /// freed under it.
    /// </summary>
    private void StopSpeedTest()
    {
        Task? test;
        lock (_speedTestGate)
        {
            // Stopping is already set, so no test starts after this read.
            test = _speedTestTask;
        }

        // Waited for, not observed: how the test ended is its caller's to see.
        if (test is not null && !test.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(5)))
        {
            return;
        }

        lock (_speedTestGate)
        {
            _speedTestSender?.Dispose();
            _speedTestSender = null;
        }
    }

    /// <summary>An answer to a speed test's load arrived (receiving thread); dropped when no test of ours runs.</summary>
    internal void OnSpeedTestAck(PathRuntime path, in SpeedTestAckMessage ack, long now) => Volatile.Read(ref _speedTest)?.OnAck(path, ack, now);

    private SpeedTestResult Refused(string why) => new(DateTimeOffset.UtcNow, TimeSpan.Zero, SpeedTestResult.ToPeer, [], 0, why);
}
