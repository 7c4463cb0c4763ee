using System.Collections.Concurrent;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>A dashboard stand-in on <c>/hubs/live</c>: records every push with its arrival time.</summary>
internal sealed class LiveSubscriber : IAsyncDisposable
{
    private readonly HubConnection _connection;

    private LiveSubscriber(HubConnection connection)
    {
        _connection = connection;
        connection.On<Guid, IReadOnlyList<MemberSample>>(nameof(ILiveClient.LinkSamples), (linkId, samples) =>
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var sample in samples)
            {
                Samples.Enqueue((now, sample));
            }
        });
        connection.On<Guid, LiveLinkState>(nameof(ILiveClient.LinkState), (_, state) => States.Enqueue(state));
    }

    public ConcurrentQueue<(DateTimeOffset Received, MemberSample Sample)> Samples { get; } = new();

    public ConcurrentQueue<LiveLinkState> States { get; } = new();

    /// <summary>Connects to <paramref name="server"/>'s live hub with <paramref name="bearer"/> (an API key).</summary>
    public static async Task<LiveSubscriber> ConnectAsync(Uri server, string bearer)
    {
        var connection = DashboardHubConnection.Build(server, bearer);
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return new LiveSubscriber(connection);
    }

    public Task<LinkLiveSnapshot> SubscribeLinkAsync(Guid linkId) =>
        _connection.InvokeAsync<LinkLiveSnapshot>(nameof(ILiveHub.SubscribeLink), linkId, TestContext.Current.CancellationToken);

    public Task<HostLiveSnapshot> SubscribeHostAsync(Guid hostId) =>
        _connection.InvokeAsync<HostLiveSnapshot>(nameof(ILiveHub.SubscribeHost), hostId, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
