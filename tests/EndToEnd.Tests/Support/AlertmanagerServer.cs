using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>
/// A real Prometheus Alertmanager (Debian package <c>prometheus-alertmanager</c>) on a free loopback port, alone (no
/// cluster), with a configuration that routes everything to a receiver without integrations, and its storage in a
/// temporary directory that goes with it.
/// </summary>
internal sealed class AlertmanagerServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus-alertmanager";

    private readonly string _directory;
    private readonly Process _process;
    private readonly HttpClient _http;
    private readonly Queue<string> _output = new();

    private AlertmanagerServer(string directory, Process process, int port)
    {
        _directory = directory;
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        _http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    /// <summary>The last lines Alertmanager wrote.</summary>
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

    public static async Task<AlertmanagerServer> StartAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "fleet-alertmanager-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "alertmanager.yml");
        File.WriteAllText(config, """
            route:
              receiver: nobody
              group_wait: 1s
              group_interval: 1s
            receivers:
              - name: nobody
            """);

        var port = FreePort.Next();
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        info.ArgumentList.Add("--config.file=" + config);
        info.ArgumentList.Add("--storage.path=" + Path.Combine(directory, "data"));
        info.ArgumentList.Add("--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));

        // Empty: no gossip listener, so parallel tests and other helpers' Alertmanagers never form a cluster.
        info.ArgumentList.Add("--cluster.listen-address=");
        var process = Process.Start(info) ?? throw new InvalidOperationException("alertmanager did not start");
        var server = new AlertmanagerServer(directory, process, port);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.TrueAsync(
                async () => !process.HasExited && await server.IsReadyAsync(cancellationToken),
                "alertmanager ready",
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

    /// <summary>The active alerts (<c>GET /api/v2/alerts</c>; resolved ones are not listed): each one's labels and annotations.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)>> AlertsAsync(CancellationToken cancellationToken)
    {
        using var answer = await _http.GetFromJsonAsync<JsonDocument>("api/v2/alerts", cancellationToken) ?? throw new InvalidOperationException("empty answer");
        return [.. answer.RootElement.EnumerateArray().Select(a => (Strings(a.GetProperty("labels")), Strings(a.GetProperty("annotations"))))];
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static Dictionary<string, string> Strings(JsonElement element) =>
        element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");

    private async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync("-/ready", cancellationToken);
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
