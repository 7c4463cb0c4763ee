using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>
/// A Prometheus-family server (Prometheus, Alertmanager) as a child process on a free loopback port, its files in a
/// temporary directory that goes with it: started with an argument list, waited for until <c>/-/ready</c> answers,
/// its last output lines kept for assertion messages, killed and cleaned up on dispose.
/// </summary>
internal sealed class ToolServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private ToolServer(string directory, Process process, int port)
    {
        Directory = directory;
        _process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The server's temporary directory (configuration, data).</summary>
    public string Directory { get; }

    /// <summary>A client for the server's HTTP API.</summary>
    public HttpClient Http { get; }

    /// <summary>The last lines the server wrote.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>A new temporary directory named after <paramref name="tool"/>, for its configuration before it starts.</summary>
    public static string NewDirectory(string tool)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"fleet-{tool}-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Starts <paramref name="binary"/> in <paramref name="directory"/> with <paramref name="arguments"/>, which take the listen address.</summary>
    public static async Task<ToolServer> StartAsync(string binary, string directory, Func<string, IEnumerable<string>> arguments, CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var argument in arguments("127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture)))
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{binary} did not start");
        var server = new ToolServer(directory, process, port);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.TrueAsync(
                async () => !process.HasExited && await server.IsReadyAsync(cancellationToken),
                $"{Path.GetFileName(binary)} ready",
                TimeSpan.FromSeconds(60),
                () => server.Output);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync("-/ready", cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 200)
            {
                _output.Dequeue();
            }
        }
    }
}
