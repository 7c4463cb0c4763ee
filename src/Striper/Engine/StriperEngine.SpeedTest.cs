using Fleet.Contracts.Doctor;
using Fleet.Striper.SpeedTest;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine;

public sealed partial class StriperEngine
{
    private SpeedTestRunner? _speedTest;
    private ControlSender? _speedTestSender;
    private Task? _speedTestTask;

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

        if (Session is null || Stopping)
        {
            return Task.FromResult(Refused(Stopping ? "the link is stopping" : "no session with the peer"));
        }

        // One test at a time: the winner alone creates and uses stream 3's sender.
        var sender = Volatile.Read(ref _speedTestSender) ?? new ControlSender(SpeedTestRunner.Stream, MaxDatagram);
        var runner = new SpeedTestRunner(this, request, sender);
        if (Interlocked.CompareExchange(ref _speedTest, runner, null) is not null)
        {
            runner.Dispose();
            if (!ReferenceEquals(sender, Volatile.Read(ref _speedTestSender)))
            {
                sender.Dispose();
            }

            return Task.FromResult(Refused("a speed test is already running on this link"));
        }

        Volatile.Write(ref _speedTestSender, sender);

        // Not started with the caller's token: the finally must run to let the next test start.
        var test = Task.Factory.StartNew(() =>
        {
            try
            {
                return runner.Run(cancellationToken);
            }
            finally
            {
                Volatile.Write(ref _speedTest, null);
                runner.Dispose();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _speedTestTask = test;
        return test;
    }

    /// <summary>
    /// On disposal, after the loops stopped: waits for a test still running (it ends its steps once the engine is
    /// stopping) and frees stream 3's sender; a test that does not end in time keeps its sender rather than have it
    /// freed under it.
    /// </summary>
    private void StopSpeedTest()
    {
        // Waited for, not observed: how the test ended is its caller's to see.
        if (Volatile.Read(ref _speedTestTask) is { } test && !test.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(5)))
        {
            return;
        }

        Interlocked.Exchange(ref _speedTestSender, null)?.Dispose();
    }

    /// <summary>An answer to a speed test's load arrived (receiving thread); dropped when no test of ours runs.</summary>
    internal void OnSpeedTestAck(PathRuntime path, in SpeedTestAckMessage ack, long now) => Volatile.Read(ref _speedTest)?.OnAck(path, ack, now);

    private SpeedTestResult Refused(string why) => new(DateTimeOffset.UtcNow, TimeSpan.Zero, SpeedTestResult.ToPeer, [], 0, why);
}
