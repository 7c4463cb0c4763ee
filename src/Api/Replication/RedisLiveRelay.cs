using System.Text.Json;
using Fleet.Api.Live;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Live;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Fleet.Api.Replication;

/// <summary>
/// Live data between replicas over Redis publish/subscribe, on the connection the SignalR backplane uses. What this
/// replica stores (samples) and hears from its agents (link states) is published on <see cref="Channel"/>; what the
/// other replicas publish goes into this replica's <see cref="LiveFanout"/> as if stored here, so its dashboards, ring
/// buffers, fleet overview and live counters see the whole fleet. Best effort, like every live push: a message
/// published while Redis is away is lost (the database has the samples; a new subscription's snapshot shows them).
/// Hub groups cannot carry this: the backplane delivers to client connections, and a replica must coalesce and buffer
/// the data for its own dashboards (docs/architecture.md, "Replicas").
/// </summary>
public sealed partial class RedisLiveRelay(
    RedisConnection redis,
    ReplicaIdentity replica,
    IServiceProvider services,
    IOptions<ReplicationOptions> options,
    TimeProvider time,
    ILogger<RedisLiveRelay> logger) : IHostedService, ILiveRelay, IDisposable
{
    /// <summary>The publish/subscribe channel of live data.</summary>
    public static readonly RedisChannel Channel = RedisChannel.Literal("fleet:live");

    private readonly ReplicationOptions _options = options.Value;
    private readonly CancellationTokenSource _stopping = new();
    private Task _subscribing = Task.CompletedTask;
    private IConnectionMultiplexer? _multiplexer;
    private ChannelMessageQueue? _subscription;
    private long _failures;

    public void SamplesStored(Guid hostId, IReadOnlyList<MemberSample> samples)
    {
        if (!_options.RelayLiveSamples || samples.Count == 0)
        {
            return;
        }

        var recent = SelectForRelay(samples, time.GetUtcNow(), _options.MaxRelayedSamplesPerBatch);
        if (recent.Count > 0)
        {
            Publish(new LiveRelayMessage { Origin = replica.Id, HostId = hostId, Samples = recent });
        }
    }

    public void StateChanged(LiveLinkState state) => Publish(new LiveRelayMessage { Origin = replica.Id, HostId = state.HostId, State = state });

    /// <summary>
    /// The samples of a stored batch worth relaying: only what a dashboard would still show (younger than the ring
    /// buffer window), at most the newest <paramref name="max"/>. A backlog an agent replays after an outage is in the
    /// database (the next subscriber's snapshot has it), not worth flooding the other replicas with.
    /// </summary>
    internal static List<MemberSample> SelectForRelay(IReadOnlyList<MemberSample> samples, DateTimeOffset now, int max)
    {
        var cutoff = now.AddMinutes(-LiveLimits.RingBufferMinutes);
        var recent = new List<MemberSample>(samples.Count);
        foreach (var sample in samples)
        {
            if (sample.Time >= cutoff)
            {
                recent.Add(sample);
            }
        }

        if (recent.Count > max)
        {
            // Stable: samples of the same time keep their order.
            return [.. recent.OrderBy(s => s.Time).Skip(recent.Count - max)];
        }

        return recent;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: the Api starts, and serves its own agents and dashboards, while Redis is away.
        _subscribing = SubscribeAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _subscribing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_subscription is not null)
        {
            await _subscription.UnsubscribeAsync();
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task SubscribeAsync(CancellationToken stoppingToken)
    {
        var multiplexer = await redis.GetAsync();
        _multiplexer = multiplexer;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Once subscribed, StackExchange.Redis subscribes again by itself after every reconnect.
                _subscription = await multiplexer.GetSubscriber().SubscribeAsync(Channel);
                _subscription.OnMessage(message => Deliver(message.Message));
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogSubscribeFailed(ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    private void Publish(LiveRelayMessage message)
    {
        // Fire and forget: ingestion never waits for Redis; failures show in the log (one line per 600).
        if (_multiplexer is { } multiplexer)
        {
            _ = PublishAsync(multiplexer, JsonSerializer.SerializeToUtf8Bytes(message, FleetJson.Options));
        }
    }

    private async Task PublishAsync(IConnectionMultiplexer multiplexer, byte[] payload)
    {
        try
        {
            await multiplexer.GetSubscriber().PublishAsync(Channel, payload);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (Interlocked.Increment(ref _failures) % 600 == 1)
            {
                LogPublishFailed(_failures, ex.Message);
            }
        }
    }

    private void Deliver(RedisValue payload)
    {
        try
        {
            var message = JsonSerializer.Deserialize<LiveRelayMessage>((byte[])payload!, FleetJson.Options);
            if (message is null || message.Origin == replica.Id || services.GetService<LiveFanout>() is not { } live)
            {
                return;
            }

            if (message.State is { } state)
            {
                live.DeliverState(state);
            }
            else if (message.Samples is { } samples)
            {
                live.DeliverSamples(message.HostId, samples);
            }
        }
        catch (JsonException ex)
        {
            LogBadMessage(ex.Message);
        }
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Live data for the other replicas not published ({Failures} failures so far): {Error}")]
    private partial void LogPublishFailed(long failures, string error);

    [LoggerMessage(EventId = 3312, Level = LogLevel.Warning, Message = "Subscribing to the other replicas' live data failed ({Error}); trying again")]
    private partial void LogSubscribeFailed(string error);

    [LoggerMessage(EventId = 3313, Level = LogLevel.Warning, Message = "An unreadable live message from another replica ignored: {Error}")]
    private partial void LogBadMessage(string error);

    /// <summary>One relayed publication: samples of a host, or one link state (the other is absent).</summary>
    internal sealed record LiveRelayMessage
    {
        public required Guid Origin { get; init; }

        public required Guid HostId { get; init; }

        public IReadOnlyList<MemberSample>? Samples { get; init; }

        public LiveLinkState? State { get; init; }
    }
}
