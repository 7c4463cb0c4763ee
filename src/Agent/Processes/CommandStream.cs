using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Fleet.Agent.Processes;

/// <summary>
/// Starts long-running tools whose output is a stream of lines (<c>ip mptcp monitor</c>). <see cref="ICommandRunner"/>
/// runs a command to completion; a monitor never completes, so it gets this small separate seam.
/// </summary>
public interface ICommandStreamer
{
    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/> as an argument list (never a shell string).</summary>
    ICommandStream Start(string fileName, IReadOnlyList<string> arguments);
}

/// <summary>A running tool whose standard output is read line by line. Disposing it kills the process.</summary>
public interface ICommandStream : IAsyncDisposable
{
    /// <summary>Lines of standard output as they arrive; ends when the process exits or is disposed.</summary>
    IAsyncEnumerable<string> ReadLinesAsync(CancellationToken cancellationToken);

    /// <summary>True once the process has exited (or could not start).</summary>
    bool HasExited { get; }

    /// <summary>Why the process could not start or what it wrote to standard error before exiting.</summary>
    string? Error { get; }
}

/// <summary>Runs stream commands as child processes with <see cref="ProcessStartInfo.ArgumentList"/> and <c>LC_ALL=C</c>.</summary>
public sealed class ProcessCommandStreamer : ICommandStreamer
{
    /// <inheritdoc />
    public ICommandStream Start(string fileName, IReadOnlyList<string> arguments) => ProcessCommandStream.Start(fileName, arguments);

    private sealed class ProcessCommandStream : ICommandStream
    {
        private readonly Process? _process;
        private readonly StringBuilder _stderr = new();
        private string? _startError;

        private ProcessCommandStream(Process? process, string? startError)
        {
            _process = process;
            _startError = startError;
        }

        public bool HasExited
        {
            get
            {
                try
                {
                    return _process is null || _process.HasExited;
                }
                catch (InvalidOperationException)
                {
                    return true;
                }
            }
        }

        public string? Error
        {
            get
            {
                if (_startError is not null)
                {
                    return _startError;
                }

                lock (_stderr)
                {
                    return _stderr.Length == 0 ? null : _stderr.ToString().Trim();
                }
            }
        }

        public static ProcessCommandStream Start(string fileName, IReadOnlyList<string> arguments)
        {
            var startInfo = new ProcessStartInfo(fileName)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            startInfo.Environment["LC_ALL"] = "C";
            var process = new Process { StartInfo = startInfo };
            try
            {
                if (!process.Start())
                {
                    process.Dispose();
                    return new ProcessCommandStream(null, $"{fileName} did not start");
                }
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                process.Dispose();
                return new ProcessCommandStream(null, $"{fileName}: {ex.Message}");
            }

            var stream = new ProcessCommandStream(process, null);
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (stream._stderr)
                {
                    // Keep the start of the message: a monitor that fails says why in its first lines.
                    if (stream._stderr.Length < 4096)
                    {
                        stream._stderr.AppendLine(e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();
            return stream;
        }

        public async IAsyncEnumerable<string> ReadLinesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (_process is null)
            {
                yield break;
            }

            while (true)
            {
                string? line;
                try
                {
                    line = await _process.StandardOutput.ReadLineAsync(cancellationToken);
                }
                catch (ObjectDisposedException)
                {
                    yield break;
                }
                catch (InvalidOperationException)
                {
                    yield break;
                }

                if (line is null)
                {
                    yield break;
                }

                yield return line;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_process is null)
            {
                return;
            }

            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await _process.WaitForExitAsync(deadline.Token);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            catch (OperationCanceledException)
            {
                _startError ??= "the process did not exit after being killed";
            }

            _process.Dispose();
        }
    }
}
