using Fleet.Contracts.Doctor;
using Fleet.Striper.SpeedTest;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine;

public sealed partial class StriperEngine
{
    private SpeedTestRunner? _speedTest;

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

        if (Session is null)
        {
            return Task.FromResult(Refused("no session with the peer"));
        }

        var runner = new SpeedTestRunner(this, request);
        if (Interlocked.CompareExchange(ref _speedTest, runner, null) is not null)
        {
            runner.Dispose();
            return Task.FromResult(Refused("a speed test is already running on this link"));
        }

        // Not started with the caller's token: the finally must run to let the next test start.
        return Task.Factory.StartNew(() =>
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
    }

    /// <summary>An answer to a speed test's load arrived (receiving thread); dropped when no test of ours runs.</summary>
    internal void OnSpeedTestAck(PathRuntime path, in SpeedTestAckMessage ack, long now) => Volatile.Read(ref _speedTest)?.OnAck(path, ack, now);

    private SpeedTestResult Refused(string why) => new(DateTimeOffset.UtcNow, TimeSpan.Zero, SpeedTestResult.ToPeer, [], 0, why);
}
