using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Fleet.Api.Data;
using Fleet.Api.Live;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Live;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Api.Tests.Live;

/// <summary>
/// One dashboard that stops reading must not stall live pushes for the others (issue 10). Real Kestrel, real
/// WebSockets: a SignalR client follows one link and records when each sample arrives; a second connection, a raw
/// WebSocket with a tiny receive buffer, subscribes to a host with ten busy links and then never reads again, so the
/// server's writes to it soon block. The healthy client must keep getting every sample promptly, and the stalled
/// one must be dropped once a push to it has waited <c>Fleet:Live:SendTimeout</c>.
/// </summary>
public sealed class LiveHubSlowConsumerTests(PostgresFixture postgres) : ApiTestBase(DatabaseProvider.Sqlite, postgres)
{
    private const int Links = 10;
    private static readonly TimeSpan s_publishFor = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan s_publishEvery = TimeSpan.FromMilliseconds(100);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Fleet:Live:SendTimeout"] = "00:00:02" };

    [Fact]
    public async Task AStalledDashboard_DoesNotDelayTheOthers_AndIsDropped()
    {
        using var admin = Client();
        var host = await FleetRequests.EnrollHostAsync(admin, "busy-host");
        var links = new List<Guid>();
        for (var i = 0; i < Links; i++)
        {
            using var created = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = host.HostId, Spec = Specs.Bond($"bond{i}") }, FleetJson.Options, Cancel);
            links.Add((await ReadAsync<LinkDto>(created)).Id);
        }

        var viewerKey = (await FleetRequests.CreateApiKeyAsync(admin, FleetRole.Viewer, "dashboards")).Secret;
        var clock = Stopwatch.StartNew();
        await using var healthy = await HealthyDashboard.ConnectAsync(Api.Start(), viewerKey, links[0], clock);
        using var stalled = await StalledDashboardAsync(Api.Start(), viewerKey, host.HostId);

        // Publish like the ingest pipeline: each round, 50 samples for each of the ten links, stamped with the time.
        var fanout = Api.Services.GetRequiredService<LiveFanout>();
        var published = 0;
        var time = DateTimeOffset.UtcNow;
        var publishing = Stopwatch.StartNew();
        while (publishing.Elapsed < s_publishFor)
        {
            var stamp = clock.ElapsedTicks;
            var batch = new List<MemberSample>();
            foreach (var link in links)
            {
                for (var s = 0; s < 25; s++)
                {
                    foreach (var member in new[] { "eth1", "eth2" })
                    {
                        batch.Add(new MemberSample { LinkId = link, Member = member, Time = time, IntervalMs = 1000, TxBytes = stamp, RxBytes = 1_000_000_000 });
                    }

                    time = time.AddMilliseconds(1);
                }
            }

            fanout.PublishSamples(host.HostId, batch);
            published += 50;
            await Task.Delay(s_publishEvery, Cancel);
        }

        // Every sample of the healthy client's link arrives, each soon after it was published.
        var deadline = clock.Elapsed + TimeSpan.FromSeconds(20);
        while (healthy.Received < published && clock.Elapsed < deadline)
        {
            await Task.Delay(50, Cancel);
        }

        var latencies = healthy.Latencies.Order().ToList();
        var report = latencies.Count == 0
            ? "none arrived"
            : $"p50 {latencies[latencies.Count / 2].TotalMilliseconds:F0} ms, p99 {latencies[latencies.Count * 99 / 100].TotalMilliseconds:F0} ms, max {latencies[^1].TotalMilliseconds:F0} ms";
        TestContext.Current.TestOutputHelper?.WriteLine($"healthy dashboard latency (publish → arrival): {report}; late: {string.Join("; ", healthy.Late.Take(20))}");
        Assert.True(published > 0 && healthy.Received == published, $"the healthy dashboard got {healthy.Received} of {published} samples; latency {report}");

        // Pushes are coalesced to one per 250 ms, so a sample waits up to that long by design; a stall would add seconds.
        Assert.True(latencies[^1] < TimeSpan.FromSeconds(1.5), $"a sample reached the healthy dashboard late: {report}; {string.Join("; ", healthy.Late.Distinct().Take(20))}");

        // The stalled connection was dropped: draining what the kernel buffered ends in the server's close or reset.
        var closed = await DrainUntilClosedAsync(stalled, TimeSpan.FromSeconds(30));
        Assert.True(closed, "the server kept the stalled dashboard's connection open");
    }

    /// <summary>
    /// A WebSocket whose socket has a 4 KiB receive buffer: it completes the SignalR handshake, subscribes to the host
    /// (reading the snapshot) and from then on reads nothing.
    /// </summary>
    private static async Task<ClientWebSocket> StalledDashboardAsync(Uri server, string bearer, Guid hostId)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4096 };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var webSocket = new ClientWebSocket();
        webSocket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        webSocket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var invoker = new HttpMessageInvoker(handler);
        var uri = new UriBuilder(new Uri(server, HubRoutes.Live.TrimStart('/'))) { Scheme = "ws" }.Uri;
        await webSocket.ConnectAsync(uri, invoker, Cancel);
        await SendAsync(webSocket, """{"protocol":"json","version":1}""");
        await ReadMessageAsync(webSocket, m => m == "{}");
        await SendAsync(webSocket, $$"""{"type":1,"invocationId":"1","target":"SubscribeHost","arguments":["{{hostId}}"]}""");
        await ReadMessageAsync(webSocket, m => m.Contains("\"type\":3", StringComparison.Ordinal) && m.Contains("\"invocationId\":\"1\"", StringComparison.Ordinal));
        return webSocket;
    }

    private static Task SendAsync(ClientWebSocket socket, string message) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, Cancel);

    /// <summary>Reads SignalR messages (record-separator framed) until one matches.</summary>
    private static async Task ReadMessageAsync(ClientWebSocket socket, Func<string, bool> wanted)
    {
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            var messages = text.ToString().Split('\u001e');
            if (messages[..^1].Any(wanted))
            {
                return;
            }

            text.Clear().Append(messages[^1]);
        }
    }

    private static async Task<bool> DrainUntilClosedAsync(ClientWebSocket socket, TimeSpan timeout)
    {
        var buffer = new byte[256 * 1024];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, deadline.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }
            }
        }
        catch (WebSocketException)
        {
            return true;
        }
        catch (OperationCanceledException) when (!Cancel.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>A dashboard on <c>/hubs/live</c> that follows one link and records how late each sample arrives.</summary>
    private sealed class HealthyDashboard : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private int _received;

        private HealthyDashboard(HubConnection connection, Guid linkId, Stopwatch clock)
        {
            _connection = connection;
            connection.On<Guid, IReadOnlyList<MemberSample>>(nameof(ILiveClient.LinkSamples), (link, samples) =>
            {
                var now = clock.ElapsedTicks;
                if (link != linkId)
                {
                    return;
                }

                foreach (var sample in samples)
                {
                    var latency = TimeSpan.FromSeconds((now - sample.TxBytes) / (double)Stopwatch.Frequency);
                    Latencies.Enqueue(latency);
                    if (latency > TimeSpan.FromMilliseconds(500))
                    {
                        Late.Enqueue($"published at {sample.TxBytes * 1000.0 / Stopwatch.Frequency:F0} ms, {latency.TotalMilliseconds:F0} ms late");
                    }
                }

                Interlocked.Add(ref _received, samples.Count);
            });
        }

        public int Received => Volatile.Read(ref _received);

        public ConcurrentQueue<TimeSpan> Latencies { get; } = new();

        public ConcurrentQueue<string> Late { get; } = new();

        public static async Task<HealthyDashboard> ConnectAsync(Uri server, string bearer, Guid linkId, Stopwatch clock)
        {
            var connection = DashboardHubConnection.Build(server, bearer);
            var dashboard = new HealthyDashboard(connection, linkId, clock);
            await connection.StartAsync(Cancel);
            await connection.InvokeAsync<LinkLiveSnapshot>(nameof(ILiveHub.SubscribeLink), linkId, Cancel);
            return dashboard;
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
