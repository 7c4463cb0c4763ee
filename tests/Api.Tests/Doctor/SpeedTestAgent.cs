using System.Threading.Channels;
using Fleet.Agent.Hub;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Api.Tests.Doctor;

/// <summary>
/// A host's agent on <c>/hubs/agent</c> as the real agent connects (its connection builder, MessagePack): says hello,
/// hands the test the speed test orders it receives, and reports what the test tells it to.
/// </summary>
internal sealed class SpeedTestAgent : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly Channel<SpeedTestOrder> _orders = Channel.CreateUnbounded<SpeedTestOrder>();

    private SpeedTestAgent(HubConnection connection)
    {
        _connection = connection;
        connection.On<SpeedTestOrder>(nameof(IAgentClient.RunSpeedTest), order => { _orders.Writer.TryWrite(order); });
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static async Task<SpeedTestAgent> ConnectAsync(Uri server, string credential)
    {
        var agent = new SpeedTestAgent(AgentHubConnection.Build(new Uri(server, HubRoutes.Agent.TrimStart('/')), () => credential, new HubClientOptions(), NullLoggerFactory.Instance));
        await agent._connection.StartAsync(Cancel);
        await agent.HelloAsync();
        return agent;
    }

    /// <summary>Says hello (again): the Api records the host as connected now.</summary>
    public Task<HelloResult> HelloAsync() =>
        _connection.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), new AgentHello
        {
            Hostname = "speed-test-host",
            AgentVersion = "test",
            KernelVersion = "6.1",
            Capabilities = AgentCapabilities.Of(LinkKind.Striper, LinkKind.Mptcp),
            Interfaces = [],
        }, Cancel);

    /// <summary>The next order the Api sent.</summary>
    public async Task<SpeedTestOrder> NextOrderAsync() => await _orders.Reader.ReadAsync(Cancel).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Cancel);

    /// <summary>Whether an order arrived that was not taken yet.</summary>
    public bool HasOrder => _orders.Reader.TryPeek(out _);

    public Task ReportAsync(SpeedTestOrder order, SpeedTestResult result, IReadOnlyDictionary<string, double>? speeds = null) =>
        ReportAsync(new SpeedTestReport(order.TestId, order.LinkId, result, speeds ?? new Dictionary<string, double>()));

    public Task ReportAsync(SpeedTestReport report) => _connection.InvokeAsync(nameof(IAgentHub.ReportSpeedTest), report, Cancel);

    /// <summary>A completed result: each path alone at its capacity (Mbit/s), filled.</summary>
    public static SpeedTestResult Measured(params (string Member, double Mbit)[] paths) => new(
        DateTimeOffset.UtcNow, TimeSpan.FromSeconds(2.5), SpeedTestResult.ToPeer,
        [.. paths.Select(p => new PathSpeedResult(p.Member, true, null, p.Mbit * 1e6, p.Mbit * 1e6 * 0.95, 100e6, 2, 35, 0.1, true))],
        paths.Sum(p => p.Mbit) * 1e6 * 0.95, null);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
