using Fleet.Agent.SpeedTests;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Hub;

/// <summary>
/// The Api's speed test orders (<see cref="IAgentClient.RunSpeedTest"/>): each runs beside the hub's receive loop and
/// the reconciler's queue (a test takes seconds; specs and confirmations must not wait for it), through the same
/// <see cref="ILinkSpeedTester"/> as <c>fleet-agent doctor --speed-test</c>, and is answered with
/// <see cref="IAgentHub.ReportSpeedTest"/>: the result, or a result whose error says why there is none. An order is never
/// dropped without an answer while the connection holds; a report the connection cannot carry is lost, and the Api
/// judges the test timed out (docs/doctor.md, "Path speed test").
/// </summary>
internal sealed partial class SpeedTestOrders : IDisposable
{
    private readonly HubConnection _connection;
    private readonly ILinkSpeedTester _tester;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();

    public SpeedTestOrders(HubConnection connection, ILinkSpeedTester tester, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _tester = tester;
        _time = time;
        _logger = logger;

        // The handler returns at once: the SignalR client runs handlers on its receive loop.
        connection.On<SpeedTestOrder>(nameof(IAgentClient.RunSpeedTest), order => { _ = RunAsync(order); });
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task RunAsync(SpeedTestOrder order)
    {
        // Off the receive loop before anything else.
        await Task.Yield();
        var cancellationToken = _stopping.Token;
        var started = _time.GetUtcNow();
        SpeedTestOutcome outcome;
        try
        {
            outcome = await _tester.RunAsync(order.Link, order.MaxRateBitsPerSecond, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            // The edge of one order (docs/conventions.md, rule 12): the Api hears why.
            outcome = new SpeedTestOutcome(null, $"the test failed: {ex.Message}", new Dictionary<string, double>());
        }

        var result = outcome.Result
            ?? new SpeedTestResult(started, _time.GetUtcNow() - started, SpeedTestResult.ToPeer, [], 0, outcome.Error ?? "the test did not run");
        LogRan(order.Link, order.TestId, result.Error ?? "done");
        try
        {
            await _connection.InvokeAsync(nameof(IAgentHub.ReportSpeedTest), new SpeedTestReport(order.TestId, order.LinkId, result, outcome.InterfaceSpeeds), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogReportFailed(order.TestId, ex.Message);
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Speed test {TestId} on {Link} for the Api: {Outcome}")]
    private partial void LogRan(string link, Guid testId, string outcome);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "Reporting speed test {TestId} to the Api failed: {Error}")]
    private partial void LogReportFailed(Guid testId, string error);
}
