using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>
/// A real Prometheus (Debian package <c>prometheus</c>) scraping one target every second with a bearer token, on a free
/// loopback port, with its configuration, token file and database in a temporary directory that goes with it.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly ToolServer _server;

    private PrometheusServer(ToolServer server) => _server = server;

    /// <summary>The last lines Prometheus wrote (for assertion messages: scrape errors show here).</summary>
    public string Output => _server.Output;

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (<c>host:port</c>) at <paramref name="metricsPath"/> with <paramref name="bearer"/>.</summary>
    public static async Task<PrometheusServer> StartAsync(string target, string metricsPath, string bearer, CancellationToken cancellationToken)
    {
        var directory = ToolServer.NewDirectory("prometheus");

        // The token goes in a file only this user reads, never on a command line.
        var tokenFile = Path.Combine(directory, "token");
        File.WriteAllText(tokenFile, bearer);
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var config = Path.Combine(directory, "prometheus.yml");
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: fleet
                metrics_path: {metricsPath}
                authorization:
                  type: Bearer
                  credentials_file: {tokenFile}
                static_configs:
                  - targets: ['{target}']
            """);

        return new PrometheusServer(await ToolServer.StartAsync(
            Binary,
            directory,
            listen => ["--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(directory, "data"), "--web.listen-address=" + listen],
            cancellationToken));
    }

    /// <summary>An instant PromQL query over the HTTP API: each series' labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql, CancellationToken cancellationToken)
    {
        using var answer = await _server.Http.GetFromJsonAsync<JsonDocument>("api/v1/query?query=" + Uri.EscapeDataString(promql), cancellationToken)
            ?? throw new InvalidOperationException("empty answer");
        var root = answer.RootElement;
        Assert.Equal("success", root.GetProperty("status").GetString());
        var data = root.GetProperty("data");
        Assert.Equal("vector", data.GetProperty("resultType").GetString());
        return [.. data.GetProperty("result").EnumerateArray().Select(r => (
            (IReadOnlyDictionary<string, string>)r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
            double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
    }

    /// <summary>The scrape target's health and last error, as Prometheus reports them.</summary>
    public async Task<string> TargetsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _server.Http.GetStringAsync("api/v1/targets", cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
