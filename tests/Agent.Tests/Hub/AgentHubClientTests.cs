using Fleet.Agent.Hub;
using Fleet.Agent.Identity;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.AspNetCore.Http.Connections;

namespace Fleet.Agent.Tests.Hub;

/// <summary>The hub client against a real SignalR hub on loopback (WebSockets, no negotiation, bearer credential).</summary>
public sealed class AgentHubClientTests : IDisposable
{
    private static readonly Guid s_host = Guid.Parse("0197a000-0000-7000-8000-000000000401");
    private static readonly Guid s_link = Guid.Parse("0197a000-0000-7000-8000-000000000402");
    private const string Credential = "fleet_a_test-credential-0123456789";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static AgentIdentity Identity(Uri server, string credential = Credential) => new(server, s_host, credential, DateTimeOffset.UtcNow, "test");

    [Fact]
    public async Task RunAsync_Connected_SaysHelloAppliesDesiredLinksAndDeliversSamples()
    {
        var state = new TestHubState(s_host, Credential);
        state.Desired.Add(new DesiredLink(s_link, 1, Specs.Bond(mode: BondMode.BalanceRoundRobin)));
        await using var api = await TestAgentApi.StartAsync(state);
        await using var agent = new TestAgent(Identity(api.Url), _dir.Path, TimeSpan.FromMilliseconds(200));

        agent.Start();

        await Eventually.TrueAsync(() => state.States.Any(s => s.Phase == LinkPhase.Applied && s.ObservedGeneration == 1), "link applied and confirmed");
        await Eventually.TrueAsync(() => state.Stored.Values.Sum(b => b.Samples.Count) >= 6, "samples stored");
        var hello = state.Hellos.First();
        Assert.Equal("test-host", hello.Hostname);
        Assert.Contains(hello.Interfaces, i => i.Name == "eth2");
        Assert.True(hello.Capabilities.Supports(LinkKind.Bond));
        var sample = state.Stored.Values.SelectMany(b => b.Samples).First();
        Assert.Equal(s_link, sample.LinkId);
        Assert.True(sample.TxBytes > 0);
        Assert.Contains(state.Stored.Values.SelectMany(b => b.Events), e => e.Kind == AgentEventKind.AgentStarted);
        Assert.Equal(HubConnectionStatus.Connected, agent.Hub.Status.State);
        await Eventually.TrueAsync(() => agent.Queue.Stats.PendingBatches <= 1, "queue drained by acknowledgements");
    }

    /// <summary>
    /// Where a proxy blocks WebSockets the client falls back: to long polling with MessagePack (server-sent events carry
    /// only text), and to server-sent events or long polling with JSON.
    /// </summary>
    [Theory]
    [InlineData(HttpTransportType.LongPolling, AgentHubProtocol.MessagePack)]
    [InlineData(HttpTransportType.ServerSentEvents, AgentHubProtocol.Json)]
    [InlineData(HttpTransportType.LongPolling, AgentHubProtocol.Json)]
    public async Task RunAsync_WebSocketsNotOffered_FallsBackAndStillAppliesAndDelivers(HttpTransportType offered, AgentHubProtocol protocol)
    {
        var state = new TestHubState(s_host, Credential);
        state.Desired.Add(new DesiredLink(s_link, 1, Specs.Bond(mode: BondMode.BalanceRoundRobin)));
        await using var api = await TestAgentApi.StartAsync(state, transports: offered);
        await using var agent = new TestAgent(Identity(api.Url), _dir.Path, TimeSpan.FromMilliseconds(200), protocol);

        agent.Start();

        await Eventually.TrueAsync(() => state.States.Any(s => s.Phase == LinkPhase.Applied && s.ObservedGeneration == 1), "link applied and confirmed");
        await Eventually.TrueAsync(() => state.Stored.Values.Sum(b => b.Samples.Count) >= 6, "samples stored");
        Assert.Equal(offered, Assert.Single(state.Transports.Distinct()));
    }

    [Fact]
    public async Task RunAsync_ApiRestarts_EveryBatchStoredExactlyOnce()
    {
        var state = new TestHubState(s_host, Credential);
        state.Desired.Add(new DesiredLink(s_link, 1, Specs.Bond(mode: BondMode.BalanceRoundRobin)));
        var api = await TestAgentApi.StartAsync(state);
        var port = api.Url.Port;
        await using var agent = new TestAgent(Identity(api.Url), _dir.Path, TimeSpan.FromMilliseconds(100));
        agent.Start();
        await Eventually.TrueAsync(() => state.Stored.Count >= 3, "first batches stored");

        await api.DisposeAsync();
        var storedBeforeOutage = state.Stored.Count;
        var producedBefore = agent.Queue.NextSequence;
        await Eventually.TrueAsync(() => agent.Queue.NextSequence >= producedBefore + 10, "batches queued during the outage");
        Assert.True(state.Stored.Count <= storedBeforeOutage + 1);

        await using var restarted = await TestAgentApi.StartAsync(state, port);
        var target = agent.Queue.NextSequence - 1;
        await Eventually.TrueAsync(() => Enumerable.Range(1, (int)target).All(s => state.Stored.ContainsKey(s)), $"batches 1..{target} stored");

        // Only batches in flight when the Api went away can arrive twice (stored, but the acknowledgement was lost);
        // the hub recognises them, so each is stored once.
        Assert.InRange(state.Duplicates, 0, new HubClientOptions().MaxBatchesInFlight);
        Assert.True(state.Hellos.Count >= 2);
    }

    [Fact]
    public async Task RunAsync_AgentRestarts_KeepsLinksAndResendsUnacknowledgedBatches()
    {
        var state = new TestHubState(s_host, Credential);
        state.Desired.Add(new DesiredLink(s_link, 1, Specs.Bond(mode: BondMode.BalanceRoundRobin)));
        await using var api = await TestAgentApi.StartAsync(state);
        await using (var first = new TestAgent(Identity(api.Url), _dir.Path, TimeSpan.FromMilliseconds(100)))
        {
            first.Start();
            await Eventually.TrueAsync(() => state.States.Any(s => s.Phase == LinkPhase.Applied), "link applied");
        }

        // The Api refuses the agent for a while: the restarted agent restores its link from disk and queues what it samples.
        state.Credential = "fleet_a_not-yet";
        long queued;
        await using (var second = new TestAgent(Identity(api.Url), _dir.Path, TimeSpan.FromMilliseconds(100)))
        {
            var before = second.Queue.NextSequence;
            second.Start();
            await Eventually.TrueAsync(() => second.Queue.NextSequence > before + 5, "batches queued");
            await Eventually.TrueAsync(() => second.Hub.Status.LastError?.Contains("refused the credential", StringComparison.Ordinal) == true, "credential refused", detail: () => second.Hub.Status.ToString());
            Assert.True(second.Host.Links.ContainsKey("bond0"));
            queued = second.Queue.NextSequence - 1;
        }

        Assert.DoesNotContain(queued, state.Stored.Keys);
        state.Credential = Credential;
        await using var third = new TestAgent(Identity(api.Url), _dir.Path, TimeSpan.FromMilliseconds(100));
        Assert.True(third.Queue.Stats.PendingBatches >= 5);
        third.Start();

        await Eventually.TrueAsync(() => Enumerable.Range(1, (int)queued).All(s => state.Stored.ContainsKey(s)), $"batches 1..{queued} stored");
        // The restarted agent sampled its restored link while it could not send: two members per interval.
        Assert.Equal(["eth0", "eth1"], state.Stored[queued].Samples.Select(sample => sample.Member));
    }

    [Fact]
    public async Task RunAsync_ConfirmationWithheld_ReportsRolledBack()
    {
        var state = new TestHubState(s_host, Credential) { Confirm = false };
        await using var api = await TestAgentApi.StartAsync(state);
        await using var agent = new TestAgent(Identity(api.Url), _dir.Path, TimeSpan.FromMilliseconds(200));
        agent.Start();
        await Eventually.TrueAsync(() => agent.Hub.Status.State == HubConnectionStatus.Connected, "connected", detail: () => agent.Hub.Status.ToString());

        await api.PushAsync(new DesiredLink(s_link, 1, Specs.Bond(confirmTimeoutSeconds: 5)));

        await Eventually.TrueAsync(() => state.States.Any(s => s.AwaitingConfirm && s.TargetGeneration == 1), "awaiting confirmation");
        Assert.True(agent.Host.Links.ContainsKey("bond0"));
        await Eventually.TrueAsync(() => state.States.Any(s => s.Phase == LinkPhase.RolledBack), "rolled back", TimeSpan.FromSeconds(15));
        Assert.Empty(agent.Host.Links);
    }

    [Fact]
    public async Task RunAsync_PushedSpecWhileConnected_IsAppliedAndConfirmed()
    {
        var state = new TestHubState(s_host, Credential);
        await using var api = await TestAgentApi.StartAsync(state);
        await using var agent = new TestAgent(Identity(api.Url), _dir.Path, TimeSpan.FromMilliseconds(200));
        agent.Start();
        await Eventually.TrueAsync(() => agent.Hub.Status.State == HubConnectionStatus.Connected, "connected", detail: () => agent.Hub.Status.ToString());

        await api.PushAsync(new DesiredLink(s_link, 4, Specs.Striper()));

        await Eventually.TrueAsync(() => state.States.Any(s => s.Phase == LinkPhase.Applied && s.ObservedGeneration == 4), "applied");
        Assert.True(agent.Host.Links.ContainsKey("str0"));
    }
}
