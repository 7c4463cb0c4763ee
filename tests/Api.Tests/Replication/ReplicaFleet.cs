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
/// Replicas A, B and C of one Api (real <c>fleet-api</c> processes) on one fresh PostgreSQL database and one Redis of
/// their own, with the helpers the cross-replica tests share.
/// </summary>
internal sealed class ReplicaFleet(ApiProcess a, ApiProcess b, ApiProcess c, RedisServer redis, string connectionString) : IAsyncDisposable
{
    /// <summary>A resend short enough that a lost push costs a test little.</summary>
    public static readonly TimeSpan QuickResend = TimeSpan.FromSeconds(1);

    /// <summary>A resend that never comes within a test: whatever reaches an agent came through the backplane.</summary>
    public static readonly TimeSpan NoResend = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    public ApiProcess A { get; } = a;

    public ApiProcess B { get; } = b;

    public ApiProcess C { get; } = c;

    public RedisServer Redis { get; } = redis;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static async Task<ReplicaFleet> StartAsync(PostgresFixture postgres, TimeSpan resendInterval)
    {
        var database = await postgres.CreateDatabaseAsync(Cancel);
        var redis = await RedisServer.StartAsync(Cancel);
        var adminKey = ApiProcess.NewApiKey();
        ApiProcessOptions Options(bool migrate) => new()
        {
            PostgresConnectionString = database,
            AdminApiKey = adminKey,
            MigrateBeforeStart = migrate,
            Configuration = new Dictionary<string, string>
            {
                ["ConnectionStrings:Redis"] = redis.ConnectionString,
                ["Fleet:Replication:PendingSpecResendInterval"] = resendInterval.ToString(),
                ["Fleet:Security:HubRevalidationInterval"] = NoResend.ToString(),
            },
        };
        var started = new List<ApiProcess>();
        try
        {
            // The first migrates; the other two start together on the migrated database.
            started.Add(await ApiProcess.StartAsync(Options(migrate: true), Cancel));
            started.AddRange(await Task.WhenAll(ApiProcess.StartAsync(Options(migrate: false), Cancel), ApiProcess.StartAsync(Options(migrate: false), Cancel)));
            return new ReplicaFleet(started[0], started[1], started[2], redis, database);
        }
        catch
        {
            foreach (var process in started)
            {
                await process.DisposeAsync();
            }

            await redis.DisposeAsync();
            throw;
        }
    }

    public async Task<long> SamplesStoredAsync(Guid linkId, long minTxBytes)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM samples WHERE link_id = @l AND tx_bytes >= @t", connection);
        command.Parameters.AddWithValue("l", linkId);
        command.Parameters.AddWithValue("t", minTxBytes);
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
    }

    /// <summary>When the agent acknowledged a deleted link's removal (null: still owed, sent again).</summary>
    public async Task<DateTime?> RemovalAcknowledgedAtAsync(Guid linkId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT removal_acknowledged_at FROM links WHERE id = @l", connection);
        command.Parameters.AddWithValue("l", linkId);
        return await command.ExecuteScalarAsync(Cancel) is DateTime at ? at : null;
    }

    public Task Eventually(Func<bool> condition, string what) => Eventually(() => Task.FromResult(condition()), what);

    public async Task Eventually(Func<Task<bool>> condition, string what, Func<string>? detail = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(s_wait.TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                Assert.Fail($"timed out after {s_wait} waiting for: {what} {detail?.Invoke()}\n--- A:\n{Tail(A.Output)}\n--- B:\n{Tail(B.Output)}\n--- C:\n{Tail(C.Output)}");
            }

            await Task.Delay(50, Cancel);
        }
    }

    public async Task<LinkDto> WaitForLinkAsync(HttpClient admin, Guid linkId, Func<LinkDto, bool> condition, string what)
    {
        LinkDto? last = null;
        await Eventually(
            async () =>
            {
                last = await admin.GetFromJsonAsync<LinkDto>($"api/v1/links/{linkId}", FleetJson.Options, Cancel);
                return condition(last!);
            },
            what,
            () => $"last: {last}");
        return last!;
    }

    public static async Task<LinkDto> CreateLinkAsync(HttpClient admin, Guid hostId, LinkSpec? spec = null)
    {
        using var response = await admin.PostAsJsonAsync("api/v1/links", new CreateLinkRequest { HostId = hostId, Spec = spec ?? Specs.Bond(), Reason = "replicas" }, FleetJson.Options, Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options, Cancel))!;
    }

    public static async Task<LinkDto> PutSpecAsync(HttpClient admin, Guid linkId, LinkSpec spec)
    {
        using var current = await admin.GetAsync(new Uri($"api/v1/links/{linkId}/spec", UriKind.Relative), Cancel);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/links/{linkId}/spec") { Content = JsonContent.Create(spec, options: FleetJson.Options) };
        request.Headers.IfMatch.Add(current.Headers.ETag!);
        using var response = await admin.SendAsync(request, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<LinkDto>(FleetJson.Options, Cancel))!;
    }

    public static List<MemberSample> TwoSamples(Guid linkId, DateTimeOffset time, long txBytes) =>
    [
        new() { LinkId = linkId, Member = "eth1", Time = time, IntervalMs = 1_000, TxBytes = txBytes, RxBytes = 10, TxPackets = 3, RttMs = 12.5, Health = MemberHealth.Up },
        new() { LinkId = linkId, Member = "eth2", Time = time, IntervalMs = 1_000, TxBytes = txBytes + 1, RxBytes = 20, LossPercent = 1.5, Health = MemberHealth.Degraded },
    ];

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await C.DisposeAsync();
        await Redis.DisposeAsync();
    }

    private static string Tail(string output) => output.Length > 4_000 ? output[^4_000..] : output;
}

/// <summary>An agent on <c>/hubs/agent</c> of one replica that says what the test tells it and records what it is sent.</summary>
internal sealed class ReplicaTestAgent : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _stateTime = DateTimeOffset.UtcNow.UtcTicks;

    private ReplicaTestAgent(HubConnection connection)
    {
        _connection = connection;
        connection.Closed += _ =>
        {
            _closed.TrySetResult();
            return Task.CompletedTask;
        };
        connection.On<DesiredLink>(nameof(IAgentClient.ApplyLink), Applied.Enqueue);
        connection.On<LinkRemoval>(nameof(IAgentClient.RemoveLink), r => Removed.Enqueue(r.LinkId));
    }

    public ConcurrentQueue<DesiredLink> Applied { get; } = new();

    public ConcurrentQueue<Guid> Removed { get; } = new();

    /// <summary>Completes when the Api closed the connection.</summary>
    public Task Closed => _closed.Task;

    /// <summary>What the Api answered to the hello (the host's desired state).</summary>
    public HelloResult Hello { get; private set; } = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static async Task<ReplicaTestAgent> ConnectAsync(ApiProcess api, string credential)
    {
        var agent = new ReplicaTestAgent(AgentHubConnection.Build(new Uri(api.BaseAddress, HubRoutes.Agent.TrimStart('/')), () => credential, new HubClientOptions(), NullLoggerFactory.Instance));
        await agent._connection.StartAsync(Cancel);
        agent.Hello = await agent._connection.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), new AgentHello
        {
            Hostname = "replica-test",
            AgentVersion = "test",
            KernelVersion = "6.1.0",
            Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper),
            Interfaces = [.. new[] { "eth1", "eth2", "eth3", "eth4" }.Select(name => new InterfaceInventory(name, "ether", null, 1500, true, []))],
        }, Cancel);
        return agent;
    }

    public async Task<DesiredLink> WaitForApplyAsync(Guid linkId, long generation, ReplicaFleet fleet)
    {
        await fleet.Eventually(() => Applied.Any(l => l.LinkId == linkId && l.Generation == generation), $"ApplyLink generation {generation} on the agent");
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

    /// <summary>Reports the removal of a deleted link made and awaiting the Api's confirmation, as an agent does.</summary>
    public Task ReportRemovingAsync(Guid linkId, long generation) =>
        _connection.InvokeAsync(nameof(IAgentHub.ReportLinkState), new ObservedLinkState
        {
            LinkId = linkId,
            ObservedGeneration = generation,
            TargetGeneration = generation,
            Phase = LinkPhase.Applying,
            AwaitingConfirm = true,
            Removing = true,
            Time = new DateTimeOffset(Interlocked.Add(ref _stateTime, TimeSpan.TicksPerMillisecond), TimeSpan.Zero),
        }, Cancel);

    public Task<BatchAck> ReportBatchAsync(long sequence, IReadOnlyList<MemberSample> samples) =>
        _connection.InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), new SampleBatch { Sequence = sequence, Samples = samples }, Cancel);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}

/// <summary>A dashboard on <c>/hubs/live</c> of one replica (admin API key) recording every push.</summary>
internal sealed class ReplicaLiveClient : IAsyncDisposable
{
    private readonly HubConnection _connection;

    private ReplicaLiveClient(HubConnection connection)
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

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static async Task<ReplicaLiveClient> ConnectAsync(ApiProcess api)
    {
        var client = new ReplicaLiveClient(DashboardHubConnection.Build(api.BaseAddress, api.AdminApiKey));
        await client._connection.StartAsync(Cancel);
        return client;
    }

    public Task<LinkLiveSnapshot> SubscribeLinkAsync(Guid linkId) =>
        _connection.InvokeAsync<LinkLiveSnapshot>(nameof(ILiveHub.SubscribeLink), linkId, Cancel);

    public Task<HostLiveSnapshot> SubscribeHostAsync(Guid hostId) =>
        _connection.InvokeAsync<HostLiveSnapshot>(nameof(ILiveHub.SubscribeHost), hostId, Cancel);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
