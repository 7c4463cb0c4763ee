using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Fleet.Agent.Hub;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Fleet.Api.Tests.Replication;

/// <summary>
/// Two real Api processes on one PostgreSQL behave as one: a spec changed on one reaches the agent connected to the
/// other, samples an agent sends to one reach a dashboard on the other, and both survive the listening connection
/// being killed (a change made while nobody listens is still delivered).
/// </summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class CrossReplicaTests(PostgresFixture postgres)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SpecChangedOnB_ReachesAgentConnectedToA_AndAppliedIsSeenOnB()
    {
        await using var fleet = await Replicas.StartAsync(postgres);
        using var adminB = fleet.B.CreateClient();
        var enrolled = await FleetRequests.EnrollHostAsync(adminB, "edge-a");
        await using var agent = await TestAgent.ConnectAsync(fleet.A, enrolled.Credential);

        // Created on B: the agent on A hears of generation 1 (it had none at hello).
        var link = await CreateLinkAsync(adminB, enrolled.HostId);
        await agent.WaitForApplyAsync(link.Id, 1, fleet);
        await agent.ReportAsync(link.Id, 1, LinkPhase.Applied);
        await WaitForLinkAsync(adminB, link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 1, "generation 1 applied, seen on B", fleet);

        // Changed on B: pushed to A's agent at once (not at some later hello); applied there, seen on B.
        var started = Stopwatch.GetTimestamp();
        var changed = await PutSpecAsync(adminB, link.Id, Specs.Bond(miimonMs: 50));
        Assert.Equal(2, changed.DesiredGeneration);
        var pushed = await agent.WaitForApplyAsync(link.Id, 2, fleet);
        var latency = Stopwatch.GetElapsedTime(started);
        Assert.Equal(50, pushed.Spec.Bond!.MiimonMs);
        Assert.True(latency < TimeSpan.FromSeconds(20), $"PUT on B → ApplyLink on A took {latency}");
        Assert.Equal(1, agent.Hellos);
        await agent.ReportAsync(link.Id, 2, LinkPhase.Applied);
        var applied = await WaitForLinkAsync(adminB, link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 2, "generation 2 applied, seen on B", fleet);
        Assert.Equal(2, applied.DesiredGeneration);

        // Deleted on B: A tells its agent to remove the link.
        using var delete = await adminB.DeleteAsync(new Uri($"api/v1/links/{link.Id}", UriKind.Relative), Cancel);
        Assert.True(delete.IsSuccessStatusCode, delete.StatusCode.ToString());
        await Eventually(() => agent.Removed.Contains(link.Id), "RemoveLink on A's agent", fleet);
    }

    [Fact]
    public async Task SamplesSentToA_ReachLiveSubscriberOnB_AndSoDoStateChanges()
    {
        await using var fleet = await Replicas.StartAsync(postgres);
        using var adminB = fleet.B.CreateClient();
        var enrolled = await FleetRequests.EnrollHostAsync(adminB, "edge-b");
        await using var agent = await TestAgent.ConnectAsync(fleet.A, enrolled.Credential);
        var link = await CreateLinkAsync(adminB, enrolled.HostId);
        await agent.WaitForApplyAsync(link.Id, 1, fleet);
        await using var live = await LiveClient.ConnectAsync(fleet.B);
        var snapshot = await live.SubscribeLinkAsync(link.Id);
        Assert.Empty(snapshot.Samples);
        var hostSnapshot = await live.SubscribeHostAsync(enrolled.HostId);
        Assert.Single(hostSnapshot.Links);

        // Stored by A; B's dashboard gets them (on the link and the host subscription), exactly as sent.
        var sent = Samples(link.Id, DateTimeOffset.UtcNow, 777_000);
        var ack = await agent.ReportBatchAsync(1, sent);
        Assert.Equal(new BatchAck(1), ack);
        await Eventually(() => live.Samples.Count(s => s.Sample.TxBytes >= 777_000) >= 4, "2 samples × 2 subscriptions on B's live hub", fleet);
        var received = live.Samples.Where(s => s.Sample.TxBytes >= 777_000).ToList();
        Assert.Equal(4, received.Count);
        Assert.All(received, r => Assert.Equal(link.Id, r.LinkId));
        Assert.Equal(sent.OrderBy(s => s.Member), received.Select(r => r.Sample).Distinct().OrderBy(s => s.Member));

        // B's ring buffer has them too: a new subscriber on B gets them in its snapshot.
        await using var late = await LiveClient.ConnectAsync(fleet.B);
        Assert.Equal(sent.OrderBy(s => s.Member), (await late.SubscribeLinkAsync(link.Id)).Samples.Where(s => s.TxBytes >= 777_000).OrderBy(s => s.Member));

        // An agent's report recorded on A shows on B's dashboard.
        await agent.ReportAsync(link.Id, 1, LinkPhase.Applied);
        await Eventually(() => live.States.Any(s => s.LinkId == link.Id && s.Phase == LinkPhase.Applied && s.ObservedGeneration == 1), "Applied state on B's live hub", fleet);
    }

    [Fact]
    public async Task ListeningConnectionsKilled_ChangeMadeWhileNobodyListens_IsStillDelivered()
    {
        // Reconnects wait ≥ 9.6 s (12 s ± 20 %): long enough to change the spec while nobody listens, even under load.
        await using var fleet = await Replicas.StartAsync(postgres, new Dictionary<string, string>
        {
            ["Fleet:Replication:ReconnectMinDelay"] = "00:00:12",
            ["Fleet:Replication:ReconnectMaxDelay"] = "00:00:15",
        });
        using var adminB = fleet.B.CreateClient();
        var enrolled = await FleetRequests.EnrollHostAsync(adminB, "edge-c");
        await using var agent = await TestAgent.ConnectAsync(fleet.A, enrolled.Credential);
        var link = await CreateLinkAsync(adminB, enrolled.HostId);
        await agent.WaitForApplyAsync(link.Id, 1, fleet);
        await agent.ReportAsync(link.Id, 1, LinkPhase.Applied);
        await WaitForLinkAsync(adminB, link.Id, l => l.Phase == LinkPhase.Applied, "generation 1 applied", fleet);
        await Eventually(async () => await fleet.ListenersAsync() == 2, "both replicas listening", fleet);

        // Kill both replicas' listening connections; change the spec on B while neither listens.
        Assert.Equal(2, await fleet.ScalarAsync<long>("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'fleet-api listen'"));
        await Eventually(async () => await fleet.ListenersAsync() == 0, "listening connections gone", fleet);
        var changed = await PutSpecAsync(adminB, link.Id, Specs.Bond(miimonMs: 70));
        Assert.Equal(0, await fleet.ListenersAsync());

        // A listens again and resyncs: its agent gets generation 2 although the NOTIFY went to nobody.
        var pushed = await agent.WaitForApplyAsync(link.Id, changed.DesiredGeneration, fleet);
        Assert.Equal(70, pushed.Spec.Bond!.MiimonMs);
        Assert.Contains("Resync after listening again: 1 link changes", fleet.A.Output, StringComparison.Ordinal);
        await agent.ReportAsync(link.Id, 2, LinkPhase.Applied);
        await WaitForLinkAsync(adminB, link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 2, "generation 2 applied", fleet);

        // After the reconnect, changes and live data flow as before.
        await Eventually(async () => await fleet.ListenersAsync() == 2, "both replicas listening again", fleet);
        await PutSpecAsync(adminB, link.Id, Specs.Bond(miimonMs: 90));
        Assert.Equal(90, (await agent.WaitForApplyAsync(link.Id, 3, fleet)).Spec.Bond!.MiimonMs);
        await using var live = await LiveClient.ConnectAsync(fleet.B);
        await live.SubscribeLinkAsync(link.Id);
        Assert.Equal(new BatchAck(1), await agent.ReportBatchAsync(1, Samples(link.Id, DateTimeOffset.UtcNow, 555_000)));
        await Eventually(() => live.Samples.Count(s => s.Sample.TxBytes >= 555_000) == 2, "samples stored by A on B's live hub after the reconnect", fleet);
    }

    private static List<MemberSample> Samples(Guid linkId, DateTimeOffset time, long txBytes) =>
    [
        new() { LinkId = linkId, Member = "eth1", Time = time, IntervalMs = 1_000, TxBytes = txBytes, RxBytes = 10, TxPackets = 3, RttMs = 12.5, Health = MemberHealth.Up },
        new() { LinkId = linkId, Member = "eth2", Time = time, IntervalMs = 1_000, TxBytes = txBytes + 1, RxBytes = 20, LossPercent = 1.5, Health = MemberHealth.Degraded },
    ];

    private static async Task<LinkDto> CreateLinkAsync(HttpClient admin, Guid hostId)
    {
        using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = hostId, Spec = Specs.Bond(), Reason = "replicas" }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options, Cancel))!;
    }

    private static async Task<LinkDto> PutSpecAsync(HttpClient admin, Guid linkId, LinkSpec spec)
    {
        using var current = await admin.GetAsync(new Uri($"api/v1/links/{linkId}/spec", UriKind.Relative), Cancel);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{linkId}/spec") { Content = JsonContent.Create(spec, options: FleetJson.Options) };
        request.Headers.IfMatch.Add(current.Headers.ETag!);
        using var response = await admin.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options, Cancel))!;
    }

    private static async Task<LinkDto> WaitForLinkAsync(HttpClient admin, Guid linkId, Func<LinkDto, bool> condition, string what, Replicas fleet)
    {
        LinkDto? last = null;
        await Eventually(
            async () =>
            {
                last = await admin.GetFromJsonAsync<LinkDto>($"api/v1/links/{linkId}", FleetJson.Options, Cancel);
                return condition(last!);
            },
            what,
            fleet,
            () => $"last: {last}");
        return last!;
    }

    private static Task Eventually(Func<bool> condition, string what, Replicas fleet) => Eventually(() => Task.FromResult(condition()), what, fleet);

    private static async Task Eventually(Func<Task<bool>> condition, string what, Replicas fleet, Func<string>? detail = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(s_wait.TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                Assert.Fail($"timed out after {s_wait} waiting for: {what} {detail?.Invoke()}\n--- replica A:\n{Tail(fleet.A.Output)}\n--- replica B:\n{Tail(fleet.B.Output)}");
            }

            await Task.Delay(100, Cancel);
        }
    }

    private static string Tail(string output) => output.Length > 6_000 ? output[^6_000..] : output;

    /// <summary>Replicas A and B of one Api on one fresh PostgreSQL database.</summary>
    private sealed class Replicas(ApiProcess a, ApiProcess b, string connectionString) : IAsyncDisposable
    {
        public ApiProcess A { get; } = a;

        public ApiProcess B { get; } = b;

        public static async Task<Replicas> StartAsync(PostgresFixture postgres, Dictionary<string, string>? configuration = null)
        {
            var options = new ApiProcessOptions
            {
                PostgresConnectionString = await postgres.CreateDatabaseAsync(Cancel),
                AdminApiKey = ApiProcess.NewApiKey(),
                Configuration = configuration ?? [],
            };
            var a = await ApiProcess.StartAsync(options, Cancel);
            try
            {
                return new Replicas(a, await ApiProcess.StartAsync(options, Cancel), options.PostgresConnectionString);
            }
            catch
            {
                await a.DisposeAsync();
                throw;
            }
        }

        /// <summary>Listening connections of both replicas (by their application name).</summary>
        public Task<long> ListenersAsync() =>
            ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'fleet-api listen'");

        public async Task<T> ScalarAsync<T>(string sql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(Cancel);
            await using var command = new NpgsqlCommand(sql, connection);
            return (T)(await command.ExecuteScalarAsync(Cancel))!;
        }

        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }

    /// <summary>An agent on <c>/hubs/agent</c> that says what the test tells it and records what the Api pushes.</summary>
    private sealed class TestAgent : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private long _stateTime = DateTimeOffset.UtcNow.UtcTicks;

        private TestAgent(HubConnection connection)
        {
            _connection = connection;
            connection.On<DesiredLink>(nameof(IAgentClient.ApplyLink), Applied.Enqueue);
            connection.On<LinkRemoval>(nameof(IAgentClient.RemoveLink), r => Removed.Enqueue(r.LinkId));
        }

        public ConcurrentQueue<DesiredLink> Applied { get; } = new();

        public ConcurrentQueue<Guid> Removed { get; } = new();

        public int Hellos { get; private set; }

        public static async Task<TestAgent> ConnectAsync(ApiProcess api, string credential)
        {
            var agent = new TestAgent(AgentHubConnection.Build(new Uri(api.BaseAddress, HubRoutes.Agent.TrimStart('/')), () => credential, new HubClientOptions(), NullLoggerFactory.Instance));
            await agent._connection.StartAsync(Cancel);
            var hello = await agent._connection.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), new AgentHello
            {
                Hostname = "replica-test",
                AgentVersion = "test",
                KernelVersion = "6.1.0",
                Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper),
                Interfaces = [new InterfaceInventory("eth1", "ether", null, 1500, true, []), new InterfaceInventory("eth2", "ether", null, 1500, true, [])],
            }, Cancel);
            Assert.Empty(hello.Links);
            agent.Hellos++;
            return agent;
        }

        public async Task<DesiredLink> WaitForApplyAsync(Guid linkId, long generation, Replicas fleet)
        {
            await Eventually(() => Applied.Any(l => l.LinkId == linkId && l.Generation == generation), $"ApplyLink generation {generation} on A's agent", fleet);
            return Applied.Last(l => l.LinkId == linkId && l.Generation == generation);
        }

        public Task ReportAsync(Guid linkId, long generation, LinkPhase phase) =>
            _connection.InvokeAsync(nameof(IAgentHub.ReportLinkState), new ObservedLinkState
            {
                LinkId = linkId,
                ObservedGeneration = generation,
                TargetGeneration = generation,
                Phase = phase,
                Time = new DateTimeOffset(Interlocked.Add(ref _stateTime, TimeSpan.TicksPerMillisecond), TimeSpan.Zero),
            }, Cancel);

        public Task<BatchAck> ReportBatchAsync(long sequence, IReadOnlyList<MemberSample> samples) =>
            _connection.InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), new SampleBatch { Sequence = sequence, Samples = samples }, Cancel);

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }

    /// <summary>A dashboard on <c>/hubs/live</c> (admin API key) recording every push.</summary>
    private sealed class LiveClient : IAsyncDisposable
    {
        private readonly HubConnection _connection;

        private LiveClient(HubConnection connection)
        {
            _connection = connection;
            connection.On<Guid, IReadOnlyList<MemberSample>>(nameof(ILiveClient.LinkSamples), (linkId, samples) =>
            {
                foreach (var sample in samples)
                {
                    Samples.Enqueue((linkId, sample));
                }
            });
            connection.On<Guid, LiveLinkState>(nameof(ILiveClient.LinkState), (_, state) => States.Enqueue(state));
        }

        public ConcurrentQueue<(Guid LinkId, MemberSample Sample)> Samples { get; } = new();

        public ConcurrentQueue<LiveLinkState> States { get; } = new();

        public static async Task<LiveClient> ConnectAsync(ApiProcess api)
        {
            var client = new LiveClient(DashboardHubConnection.Build(api.BaseAddress, api.AdminApiKey));
            await client._connection.StartAsync(Cancel);
            return client;
        }

        public Task<LinkLiveSnapshot> SubscribeLinkAsync(Guid linkId) =>
            _connection.InvokeAsync<LinkLiveSnapshot>(nameof(ILiveHub.SubscribeLink), linkId, Cancel);

        public Task<HostLiveSnapshot> SubscribeHostAsync(Guid hostId) =>
            _connection.InvokeAsync<HostLiveSnapshot>(nameof(ILiveHub.SubscribeHost), hostId, Cancel);

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
