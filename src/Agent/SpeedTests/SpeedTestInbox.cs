using System.Text.Json;
using Fleet.Agent.Backends.Striper;
using Fleet.Agent.Storage;
using Fleet.Striper.SpeedTest;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.SpeedTests;

/// <summary>
/// The daemon's side of <c>fleet-agent doctor --speed-test</c>: the striper's engines live in the daemon's process, so
/// the command leaves a request in the data directory and this service runs it, one at a time, and writes the result
/// beside it (docs/doctor.md, "Path speed test"). The command waits for that file.
/// </summary>
public sealed partial class SpeedTestInbox(string dataDirectory, StriperBackend? striper, TimeProvider time, ILogger<SpeedTestInbox> logger) : BackgroundService
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(200);
    private static readonly Dictionary<string, double> s_none = [];

    /// <summary>Runs every request waiting now; what a poll does.</summary>
    public async Task RunWaitingAsync(CancellationToken cancellationToken)
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
        var options = new SpeedTestRequest { MaxRateBitsPerSecond = request.MaxRateBitsPerSecond };
        if (options.Validate() is { Count: > 0 } errors)
        {
            return new SpeedTestFileResult(request.TestId, request.Link, null, string.Join("; ", errors), s_none);
        }

        if (striper is null)
        {
            return new SpeedTestFileResult(request.TestId, request.Link, null, "this agent runs no striper (a simulated host)", s_none);
        }

        var result = await striper.RunSpeedTestAsync(request.Link, options, cancellationToken);
        LogRan(request.Link, result?.Error ?? (result is null ? "no such striper link" : "done"));
        if (result is null)
        {
            return new SpeedTestFileResult(request.TestId, request.Link, null, $"no striper link '{request.Link}' runs on this host", s_none);
        }

        // Read here, in the daemon's network namespace, where the members are.
        var speeds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var path in result.Paths)
        {
            if (InterfaceSpeed.BitsPerSecond(path.Member) is { } speed)
            {
                speeds[path.Member] = speed;
            }
        }

        return new SpeedTestFileResult(request.TestId, request.Link, result, result.Error, speeds);
    }

    [LoggerMessage(EventId = 5401, Level = LogLevel.Warning, Message = "Speed test request {File} is not readable and was removed: {Reason}")]
    private partial void LogBadRequest(string file, string reason);

    [LoggerMessage(EventId = 5402, Level = LogLevel.Warning, Message = "Speed test requests could not be read")]
    private partial void LogInboxFailed(Exception exception);

    [LoggerMessage(EventId = 5403, Level = LogLevel.Information, Message = "Speed test on {Link}: {Outcome}")]
    private partial void LogRan(string link, string outcome);
}
