using System.Text.Json;
using Fleet.Agent.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.SpeedTests;

/// <summary>
/// The daemon's side of <c>fleet-agent doctor --speed-test</c>: the striper's engines live in the daemon's process, so
/// the command leaves a request in the data directory and this service runs it, one at a time, and writes the result
/// beside it (docs/doctor.md, "Path speed test"). The command waits for that file.
/// </summary>
public sealed partial class SpeedTestInbox(string dataDirectory, ILinkSpeedTester tester, TimeProvider time, ILogger<SpeedTestInbox> logger) : BackgroundService
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(200);
    private static readonly Dictionary<string, double> s_none = [];
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;

    /// <summary>Runs every request waiting now, then removes answers nobody fetched; what a poll does.</summary>
    public async Task RunWaitingAsync(CancellationToken cancellationToken)
    {
        await RunRequestsAsync(cancellationToken);
        SweepUnfetchedAnswers();
    }

    private void SweepUnfetchedAnswers()
    {
        // An answer is stale only after twice the command's wait: looking once per wait is enough, not every poll.
        var now = time.GetUtcNow();
        if (now < _nextSweep)
        {
            return;
        }

        _nextSweep = now + SpeedTestFiles.AnswerWait;
        var directory = SpeedTestFiles.Answers(dataDirectory);
        if (!Directory.Exists(directory))
        {
            return;
        }

        var before = now - 2 * SpeedTestFiles.AnswerWait;
        foreach (var file in Directory.EnumerateFiles(directory, "*.json"))
        {
            if (File.GetLastWriteTimeUtc(file) < before.UtcDateTime)
            {
                File.Delete(file);
                LogUnfetched(file);
            }
        }
    }

    private async Task RunRequestsAsync(CancellationToken cancellationToken)
    {
        var directory = SpeedTestFiles.Requests(dataDirectory);
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal).ToList())
        {
            SpeedTestFileRequest? request;
            try
            {
                request = AtomicFile.ReadJson<SpeedTestFileRequest>(file);
            }
            catch (Exception ex) when (ex is JsonException or IOException or InvalidDataException)
            {
                LogBadRequest(file, ex.Message);
                File.Delete(file);
                continue;
            }

            if (request is null)
            {
                LogBadRequest(file, "it is empty");
                File.Delete(file);
                continue;
            }

            // A request is run once, whatever happens: removed before the answer is written, so an answer that cannot be
            // written does not run the test again every poll.
            File.Delete(file);
            SpeedTestFileResult answer;
            try
            {
                answer = await RunAsync(request, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The edge of one request (docs/conventions.md, rule 12): the asker gets the reason, the daemon goes on.
                LogRan(request.Link, $"failed: {ex.Message}");
                answer = new SpeedTestFileResult(request.TestId, request.Link, null, $"the test failed: {ex.Message}", s_none);
            }

            AtomicFile.WriteJson(SpeedTestFiles.Result(dataDirectory, request.TestId), answer, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunWaitingAsync(stoppingToken);
                await Task.Delay(s_poll, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The edge of the loop (docs/conventions.md, rule 12): log, back off, carry on.
                LogInboxFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken);
            }
        }
    }

    private async Task<SpeedTestFileResult> RunAsync(SpeedTestFileRequest request, CancellationToken cancellationToken)
    {
        var outcome = await tester.RunAsync(request.Link, request.MaxRateBitsPerSecond, cancellationToken);
        LogRan(request.Link, outcome.Error ?? "done");
        return new SpeedTestFileResult(request.TestId, request.Link, outcome.Result, outcome.Error, outcome.InterfaceSpeeds);
    }

    [LoggerMessage(EventId = 5401, Level = LogLevel.Warning, Message = "Speed test request {File} is not readable and was removed: {Reason}")]
    private partial void LogBadRequest(string file, string reason);

    [LoggerMessage(EventId = 5402, Level = LogLevel.Warning, Message = "Speed test requests could not be read")]
    private partial void LogInboxFailed(Exception exception);

    [LoggerMessage(EventId = 5404, Level = LogLevel.Information, Message = "Speed test answer {File} was not fetched (its command gave up or was stopped) and was removed")]
    private partial void LogUnfetched(string file);

    [LoggerMessage(EventId = 5403, Level = LogLevel.Information, Message = "Speed test on {Link}: {Outcome}")]
    private partial void LogRan(string link, string outcome);
}
