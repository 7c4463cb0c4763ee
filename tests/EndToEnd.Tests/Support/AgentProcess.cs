using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>A real <c>fleet-agent</c> process (the built assembly under <c>dotnet</c>) with its own data directory.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    public AgentProcess(string dataDirectory)
    {
        DataDirectory = dataDirectory;
        Directory.CreateDirectory(dataDirectory);
    }

    public string DataDirectory { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                var text = _output.ToString();
                return text.Length > 20_000 ? text[^20_000..] : text;
            }
        }
    }

    /// <summary>Runs a short command to completion (enroll, status).</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(params string[] arguments)
    {
        var output = new StringBuilder();
        using var process = new Process { StartInfo = StartInfo(arguments) };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    public Task<(int ExitCode, string Output)> EnrollAsync(Uri server, string token, string? name = null)
    {
        List<string> arguments = ["enroll", "--server", server.ToString(), "--token", token, "--data-dir", DataDirectory, .. InsecureHttp(server)];
        if (name is not null)
        {
            arguments.AddRange(["--name", name]);
        }

        return RunToEndAsync([.. arguments]);
    }

    /// <summary>
    /// Starts the daemon on a simulated host (no kernel changes), sampling every second. The test Api listens on
    /// http:// loopback: plain HTTP is allowed explicitly.
    /// </summary>
    public void StartDaemon(IReadOnlyDictionary<string, string>? environment = null) =>
        Start(["run", "--data-dir", DataDirectory, "--config", Path.Combine(DataDirectory, "no-config.json"), "--simulated-host", "--interval", "1s", "--reconnect-max-delay", "1s", "--allow-insecure-http"], environment);

    /// <summary>The option that lets a command use <paramref name="server"/> when it is an http:// one (the test Api).</summary>
    public static string[] InsecureHttp(Uri server) => server.Scheme == Uri.UriSchemeHttp ? ["--allow-insecure-http"] : [];

    /// <summary>Starts a long-running <c>fleet-agent</c> command (run, simulate) in the background, with extra environment variables.</summary>
    public void Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        _process?.Dispose();
        var start = StartInfo(arguments);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process
        {
            StartInfo = start,
        };
        process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>SIGTERM, then the exit code (within <paramref name="timeout"/>).</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("not started");
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(CultureInfo.InvariantCulture) } }))
        {
            await kill!.WaitForExitAsync();
        }

        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return process.ExitCode;
    }

    /// <summary>SIGKILL: nothing is flushed.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary><c>fleet-agent status --json</c>, parsed.</summary>
    public async Task<JsonElement> StatusAsync()
    {
        var (code, output) = await RunToEndAsync("status", "--json", "--data-dir", DataDirectory);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;

        // The exit code tells the same as the JSON: 0 connected, 5 running but not connected, 8 not running.
        var running = root.GetProperty("running").GetBoolean();
        var connected = running && root.GetProperty("status").GetProperty("connection").GetProperty("state").GetString() == "connected";
        Assert.True(code == (connected ? 0 : running ? 5 : 8), $"status exited {code}: {output}");
        return root.Clone();
    }

    /// <summary>Unacknowledged batches in the agent's queue, per its last status (null before the first status).</summary>
    public async Task<long?> PendingBatchesAsync()
    {
        var status = await StatusAsync();
        return status.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object
            ? s.GetProperty("queue").GetProperty("pendingBatches").GetInt64()
            : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(CultureInfo.InvariantCulture) } });
            await kill!.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        _process?.Dispose();
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Fleet.Agent.Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
