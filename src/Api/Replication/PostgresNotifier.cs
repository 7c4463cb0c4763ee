using System.Threading.Channels;
using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Api.Live;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Fleet.Api.Replication;

/// <summary>
/// Sends this replica's link changes and live data to the other replicas with <c>pg_notify</c>. Callers never wait:
/// payloads are queued and one loop sends what is queued in one round trip (up to <see cref="MaxPerRoundTrip"/>), in
/// order. Link changes are retried until they are sent (or the process stops); live payloads are best effort: dropped
/// when more than <see cref="ReplicationOptions.MaxQueuedLivePayloads"/> wait or when a send fails. Does nothing on
/// SQLite (one process, nothing to tell).
/// </summary>
public sealed partial class PostgresNotifier : BackgroundService, ILiveRelay
{
    /// <summary>The channel of link changes (<see cref="ReplicationCodec.EncodeLinkChange"/>).</summary>
    public const string LinkChannel = "fleet_link_changes";

    /// <summary>The channel of live samples and link states (<see cref="ReplicationCodec.DecodeLive"/>).</summary>
    public const string LiveChannel = "fleet_live";

    /// <summary>Most notifications sent in one round trip.</summary>
    public const int MaxPerRoundTrip = 200;

    private static readonly TimeSpan s_sendRetryMax = TimeSpan.FromSeconds(5);

    private readonly Channel<Outgoing> _queue = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlDataSource? _dataSource;
    private readonly Guid _origin;
    private readonly ReplicationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _queuedLive;
    private long _droppedLive;
    private long _lastDropLog;

    public PostgresNotifier(FleetDatabase database, ReplicaIdentity replica, IOptions<ReplicationOptions> options, TimeProvider time, ILogger<PostgresNotifier> logger)
    {
        _origin = replica.Id;
        _options = options.Value;
        _time = time;
        _logger = logger;
        if (database.Provider == DatabaseProvider.Postgres)
        {
            var builder = new NpgsqlDataSourceBuilder(database.ConnectionString);
            builder.ConnectionStringBuilder.MaxPoolSize = 2;
            builder.ConnectionStringBuilder.ApplicationName = "fleet-api notify";
            _dataSource = builder.Build();
        }
    }

    /// <summary>Whether there are replicas to tell (PostgreSQL).</summary>
    public bool Enabled => _dataSource is not null;

    /// <summary>Queues a committed link change for the other replicas.</summary>
    public void NotifyLinkChange(LinkChange change)
    {
        if (Enabled)
        {
            _queue.Writer.TryWrite(new Outgoing(LinkChannel, ReplicationCodec.EncodeLinkChange(_origin, change), Live: false));
        }
    }

    public void SamplesStored(Guid hostId, IReadOnlyList<MemberSample> samples)
    {
        if (!Enabled || !_options.RelayLiveSamples || samples.Count == 0)
        {
            return;
        }

        var recent = SelectForRelay(samples, _time.GetUtcNow(), _options.MaxRelayedSamplesPerBatch);
        if (recent.Count == 0)
        {
            return;
        }

        foreach (var payload in ReplicationCodec.EncodeSamples(_origin, hostId, recent))
        {
            QueueLive(payload);
        }
    }

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

    public void StateChanged(LiveLinkState state)
    {
        if (Enabled)
        {
            QueueLive(ReplicationCodec.EncodeState(_origin, state));
        }
    }

    public override void Dispose()
    {
        _dataSource?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        var batch = new List<Outgoing>(MaxPerRoundTrip);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                Take(batch);
                await SendWithRetryAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Link changes committed just before shutdown: one last try, briefly.
        Take(batch);
        batch.RemoveAll(o => o.Live);
        if (batch.Count > 0)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await SendAsync(batch, timeout.Token);
            }
            catch (Exception ex)
            {
                LogSendFailed(batch.Count, ex.Message);
            }
        }
    }

    private void Take(List<Outgoing> batch)
    {
        batch.Clear();
        while (batch.Count < MaxPerRoundTrip && _queue.Reader.TryRead(out var item))
        {
            if (item.Live)
            {
                Interlocked.Decrement(ref _queuedLive);
            }

            batch.Add(item);
        }
    }

    private void QueueLive(string payload)
    {
        if (Interlocked.Increment(ref _queuedLive) > _options.MaxQueuedLivePayloads)
        {
            Interlocked.Decrement(ref _queuedLive);
            Dropped(1);
            return;
        }

        _queue.Writer.TryWrite(new Outgoing(LiveChannel, payload, Live: true));
    }

    private async Task SendWithRetryAsync(List<Outgoing> batch, CancellationToken cancellationToken)
    {
        var delay = _options.ReconnectMinDelay;
        while (true)
        {
            try
            {
                await SendAsync(batch, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogSendFailed(batch.Count, ex.Message);

                // Live data is stale by the time the database is back; link changes are not.
                var live = batch.RemoveAll(o => o.Live);
                Dropped(live);
                if (batch.Count == 0)
                {
                    return;
                }

                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_sendRetryMax.Ticks));
            }
        }
    }

    private async Task SendAsync(List<Outgoing> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource!.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlBatch(connection);
        foreach (var item in batch)
        {
            var notify = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
            notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = item.Channel });
            notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = item.Payload });
            command.BatchCommands.Add(notify);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void Dropped(int count)
    {
        if (count == 0)
        {
            return;
        }

        var total = Interlocked.Add(ref _droppedLive, count);
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastDropLog);
        if ((last == 0 || _time.GetElapsedTime(last, now) > TimeSpan.FromSeconds(30)) && Interlocked.CompareExchange(ref _lastDropLog, now, last) == last)
        {
            LogLiveDropped(total);
        }
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Sending {Count} notifications to the other replicas failed: {Error}")]
    private partial void LogSendFailed(int count, string error);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "Live data for the other replicas dropped ({Total} payloads so far): the queue is full or PostgreSQL is unreachable")]
    private partial void LogLiveDropped(long total);

    private sealed record Outgoing(string Channel, string Payload, bool Live);
}
