using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Processes;

/// <summary>The result of one external command.</summary>
/// <param name="ExitCode">The process's exit code; -1 when it could not start or timed out.</param>
/// <param name="StandardOutput">Everything it wrote to stdout.</param>
/// <param name="StandardError">Everything it wrote to stderr, or why it could not run.</param>
public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Exit code 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>The tool's own message for a failure report ("RTNETLINK answers: Operation not permitted").</summary>
    public string Message => string.IsNullOrWhiteSpace(StandardError) ? StandardOutput.Trim() : StandardError.Trim();
}

/// <summary>Runs external tools (iproute2, tc, modprobe…) for backends.</summary>
public interface ICommandRunner
{
    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> passed as an argument list (never through a
    /// shell), waits at most <paramref name="timeout"/>, and captures its output. Never throws for a failing command.
    /// </summary>
    Task<CommandResult> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan? timeout = null, string? standardInput = null, CancellationToken cancellationToken = default);
}

/// <summary>Runs commands as child processes with <see cref="ProcessStartInfo.ArgumentList"/>.</summary>
public sealed partial class CommandRunner(ILogger<CommandRunner>? logger = null) : ICommandRunner
{
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(30);
    private readonly ILogger _logger = logger ?? NullLogger<CommandRunner>.Instance;

    /// <inheritdoc />
    public async Task<CommandResult> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan? timeout = null, string? standardInput = null, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Tools answer in English whatever the host's locale, so their messages can be parsed and reported.
        startInfo.Environment["LC_ALL"] = "C";

        using var process = new Process { StartInfo = startInfo };
        try
        {
            if (!process.Start())
            {
                return new CommandResult(-1, "", $"{fileName} did not start");
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new CommandResult(-1, "", $"{fileName}: {ex.Message}");
        }

        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? s_defaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            LogTimedOut(fileName, timeout ?? s_defaultTimeout);
            return new CommandResult(-1, "", $"{fileName} timed out after {(timeout ?? s_defaultTimeout).TotalSeconds:0.#} s");
        }

        var result = new CommandResult(process.ExitCode, await stdout, await stderr);
        if (!result.Succeeded)
        {
            LogFailed(fileName, string.Join(' ', arguments), result.ExitCode, result.Message);
        }

        return result;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "{Command} {Arguments} exited with {ExitCode}: {Error}")]
    private partial void LogFailed(string command, string arguments, int exitCode, string error);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "{Command} timed out after {Timeout}")]
    private partial void LogTimedOut(string command, TimeSpan timeout);
}
