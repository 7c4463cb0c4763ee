using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleet.Bench;

/// <summary>A dashboard on <c>/hubs/live</c> that records, for every pushed sample, how long after its sample time it arrived.</summary>
internal sealed class LiveLatency : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly List<double> _latenciesMs = [];
    private volatile bool _recording;

    private LiveLatency(HubConnection connection)
    {
        _connection = connection;
        connection.On<Guid, IReadOnlyList<MemberSample>>(nameof(ILiveClient.LinkSamples), (_, samples) =>
        {
            var now = DateTimeOffset.UtcNow;
            if (!_recording)
            {
                return;
            }

            lock (_latenciesMs)
            {
                foreach (var sample in samples)
                {
                    _latenciesMs.Add((now - sample.Time).TotalMilliseconds);
                }
            }
        });
        connection.On<Guid, LiveLinkState>(nameof(ILiveClient.LinkState), (_, state) => StateReceived?.Invoke(state, DateTimeOffset.UtcNow));
    }

    /// <summary>Every state push, with its arrival time.</summary>
    public event Action<LiveLinkState, DateTimeOffset>? StateReceived;

    public static async Task<LiveLatency> ConnectAsync(Uri server, string apiKey)
    {
        var connection = DashboardHubConnection.Build(server, apiKey);
        await connection.StartAsync();
        return new LiveLatency(connection);
    }

    public Task SubscribeAsync(Guid linkId) => _connection.InvokeAsync<LinkLiveSnapshot>(nameof(ILiveHub.SubscribeLink), linkId);

    public void Start() => _recording = true;

    public IReadOnlyList<double> Stop()
    {
        _recording = false;
        lock (_latenciesMs)
        {
            return [.. _latenciesMs];
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}

internal static class Percentiles
{
    public static double Of(IReadOnlyList<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static double Round(double value) => double.IsNaN(value) ? -1 : Math.Round(value, 1);
}
