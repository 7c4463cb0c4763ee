using System.Net.Http.Json;
using System.Text.Json;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>
/// A real Prometheus Alertmanager (Debian package <c>prometheus-alertmanager</c>) on a free loopback port, alone (no
/// cluster), with a configuration that routes everything to a receiver without integrations.
/// </summary>
internal sealed class AlertmanagerServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus-alertmanager";

    private readonly ToolServer _server;

    private AlertmanagerServer(ToolServer server) => _server = server;

    public Uri BaseAddress => _server.Http.BaseAddress!;

    /// <summary>The last lines Alertmanager wrote.</summary>
    public string Output => _server.Output;

    public static async Task<AlertmanagerServer> StartAsync(CancellationToken cancellationToken)
    {
        var directory = ToolServer.NewDirectory("alertmanager");
        var config = Path.Combine(directory, "alertmanager.yml");
        File.WriteAllText(config, """
            route:
              receiver: nobody
              group_wait: 1s
              group_interval: 1s
            receivers:
              - name: nobody
            """);

        // An empty cluster address: no gossip listener, so parallel tests' Alertmanagers never form a cluster.
        return new AlertmanagerServer(await ToolServer.StartAsync(
            Binary,
            directory,
            listen => ["--config.file=" + config, "--storage.path=" + Path.Combine(directory, "data"), "--web.listen-address=" + listen, "--cluster.listen-address="],
            cancellationToken));
    }

    /// <summary>The active alerts (<c>GET /api/v2/alerts</c>; resolved ones are not listed): each one's labels and annotations.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)>> AlertsAsync(CancellationToken cancellationToken)
    {
        using var answer = await _server.Http.GetFromJsonAsync<JsonDocument>("api/v2/alerts", cancellationToken) ?? throw new InvalidOperationException("empty answer");
        return [.. answer.RootElement.EnumerateArray().Select(a => (Strings(a.GetProperty("labels")), Strings(a.GetProperty("annotations"))))];
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static Dictionary<string, string> Strings(JsonElement element) =>
        element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
}
