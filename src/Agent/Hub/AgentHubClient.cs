using System.Net;
using System.Threading.Channels;
using Fleet.Agent.Identity;
using Fleet.Agent.Inventory;
using Fleet.Agent.Queue;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.SpeedTests;
using Fleet.Contracts.Agents;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Hub;

/// <summary>
/// The agent's side of <c>/hubs/agent</c> (docs/architecture.md): connects with the host credential, reconnects forever
/// with jittered exponential backoff, says hello with the inventory on every connect, re-reports every link state,
/// hands desired specs and confirmations to the <see cref="Reconciler"/> in order, and sends the batch queue —
/// from the oldest unacknowledged batch, several in flight — acknowledging each batch only when the Api says it is stored.
/// </summary>
public sealed partial class AgentHubClient : ILinkStateReporter, IAsyncDisposable
{
    private readonly AgentIdentity _identity;
    private readonly IBatchQueue _queue;
    private readonly Reconciler _reconciler;
    private readonly IInventorySource _inventory;
    private readonly InventoryReporter _inventoryReporter;
    private readonly HubClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HubConnection _connection;
    private readonly Uri _hubUrl;
    private readonly Channel<Func<Task>> _work = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<ObservedLinkState> _reports = Channel.CreateBounded<ObservedLinkState>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly ReconnectBackoff _backoff;
    private readonly SpeedTestOrders _speedTests;
    private TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectionStatus _status;
    private long _batchesSent;
    private long _batchesAcknowledged;
    private long _samplesAcknowledged;
    private long _duplicates;
    private long _rejected;

    /// <summary>Creates the client; nothing connects until <see cref="RunAsync"/>.</summary>
    public AgentHubClient(
        AgentIdentity identity,
        IBatchQueue queue,
        Reconciler reconciler,
        IInventorySource inventory,
        HubClientOptions options,
        TimeProvider time,
        ILoggerFactory loggerFactory,
        ILinkSpeedTester? speedTester = null)
    {
        _identity = identity;
        _queue = queue;
        _reconciler = reconciler;
        _inventory = inventory;
        _options = options;
        _time = time;
        _logger = loggerFactory.CreateLogger<AgentHubClient>();
        _inventoryReporter = new InventoryReporter(inventory, options.InventoryInterval, _logger);
        _backoff = new ReconnectBackoff(options.ReconnectMinDelay, options.ReconnectMaxDelay);
        _status = new ConnectionStatus(HubConnectionStatus.Disconnected, time.GetUtcNow(), 0);
        _hubUrl = new Uri(Enrollment.EnrollmentClient.EnsureTrailingSlash(identity.ServerUrl), HubRoutes.Agent.TrimStart('/'));
        _connection = AgentHubConnection.Build(_hubUrl, () => identity.Credential, options, loggerFactory);
        _connection.Closed += error =>
        {
            _closed.TrySetResult(error);
            return Task.CompletedTask;
        };

        // Handlers must return at once (the SignalR client runs them on its receive loop); the work channel keeps order.
        // An apply or a removal may add or delete devices (a striper link's TUN device): the inventory is checked after it.
        _connection.On<DesiredLink>(nameof(IAgentClient.ApplyLink), link => PostChange(() => _reconciler.ApplyAsync(link)));
        _connection.On<LinkRemoval>(nameof(IAgentClient.RemoveLink), removal => PostChange(() => _reconciler.RemoveAsync(removal.LinkId)));
        _connection.On<LinkConfirmation>(nameof(IAgentClient.ConfirmLink), confirmation => Post(() => _reconciler.ConfirmAsync(confirmation)));
        _speedTests = new SpeedTestOrders(_connection, speedTester ?? new StriperSpeedTester(null), time, _logger);
        _reconciler.Reporter = this;
    }

    /// <summary>The connection's state.</summary>
    public ConnectionStatus Status => Volatile.Read(ref _status);

    /// <summary>Batches sent (including resends).</summary>
    public long BatchesSent => Interlocked.Read(ref _batchesSent);

    /// <summary>Batches the Api acknowledged as stored (or as duplicates of stored ones).</summary>
    public long BatchesAcknowledged => Interlocked.Read(ref _batchesAcknowledged);

    /// <summary>Samples in acknowledged batches.</summary>
    public long SamplesAcknowledged => Interlocked.Read(ref _samplesAcknowledged);

    /// <summary>Acknowledgements that said "duplicate".</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Batches the Api refused as invalid (dropped).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <inheritdoc />
    public void Report(ObservedLinkState state) => _reports.Writer.TryWrite(state);

    /// <summary>Connects and reconnects until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var worker = ProcessWorkAsync(cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var started = _time.GetTimestamp();
                try
                {
                    await RunSessionAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    SetStatus(HubConnectionStatus.Disconnected, Describe(ex));
                    if (ex is HttpRequestException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden })
                    {
                        LogCredentialRefused(_identity.HostId, Describe(ex));
                    }
                    else
                    {
                        LogConnectionFailed(Describe(ex));
                    }
                }
                finally
                {
                    await StopQuietlyAsync();
                }

                if (_time.GetElapsedTime(started) >= _options.StableConnection)
                {
                    _backoff.Reset();
                }

                var delay = _backoff.Next();
                _status = _status with { FailedAttempts = _backoff.Attempts };
                LogReconnecting(delay.TotalSeconds);
                await Task.Delay(delay, _time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _work.Writer.TryComplete();
            await worker.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _reconciler.Reporter = null;
        await _connection.DisposeAsync();
        _inventoryReporter.Dispose();
        _speedTests.Dispose();
    }

    private async Task RunSessionAsync(CancellationToken cancellationToken)
    {
        SetStatus(HubConnectionStatus.Connecting, Status.LastError);
        _closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _connection.StartAsync(cancellationToken);

        var hello = await _inventory.CollectAsync(cancellationToken);
        var result = await _connection.InvokeAsync<HelloResult>(nameof(IAgentHub.Hello), hello, cancellationToken);
        if (result.HostId != _identity.HostId)
        {
            throw new InvalidOperationException($"the Api says this credential belongs to host {result.HostId}, but the identity file says {_identity.HostId}");
        }

        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var closed = _closed.Task;

        // Every state again, newest last: the Api may have restarted, or missed reports while we were away.
        while (_reports.Reader.TryRead(out _))
        {
        }

        foreach (var state in _reconciler.CurrentStates())
        {
            _reports.Writer.TryWrite(state);
        }

        PostChange(() => _reconciler.SyncAsync(result.Links));
        SetStatus(HubConnectionStatus.Connected, null);
        LogConnected(_identity.HostId, result.Links.Count, _queue.FirstPending, _queue.NextSequence - 1);

        var reporting = PumpReportsAsync(session.Token);
        var sending = SendBatchesAsync(session.Token);
        var inventory = _inventoryReporter.RunAsync(hello, (changed, token) => _connection.InvokeAsync(nameof(IAgentHub.ReportInventory), changed, token), session.Token);
        var error = await closed.WaitAsync(cancellationToken);
        await session.CancelAsync();
        await Task.WhenAll(reporting, sending, inventory).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        SetStatus(HubConnectionStatus.Disconnected, error is null ? "connection closed" : Describe(error));
        LogDisconnected(error is null ? "closed by the server" : Describe(error));
    }

    private async Task PumpReportsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var pending = new List<ObservedLinkState>();
            while (await _reports.Reader.WaitToReadAsync(cancellationToken))
            {
                // A state is a snapshot: of several queued reports of one link only the newest needs to go.
                pending.Clear();
                while (_reports.Reader.TryRead(out var state))
                {
                    pending.RemoveAll(p => p.LinkId == state.LinkId);
                    pending.Add(state);
                }

                foreach (var state in pending)
                {
                    await _connection.SendAsync(nameof(IAgentHub.ReportLinkState), state, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            LogSendFailed("link state", ex.Message);
            await _connection.StopAsync(CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void Post(Func<Task> work) => _work.Writer.TryWrite(work);

    /// <summary>Posts work that may change the host's devices; the inventory is checked once it is done.</summary>
    private void PostChange(Func<Task> change) => Post(async () =>
    {
        await change();
        _inventoryReporter.Nudge();
    });

    private async Task ProcessWorkAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await work();
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogWorkFailed(ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task StopQuietlyAsync()
    {
        try
        {
            await _connection.StopAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogStopFailed(ex.Message);
        }
    }

    private void SetStatus(HubConnectionStatus state, string? error) =>
        Volatile.Write(ref _status, new ConnectionStatus(state, _time.GetUtcNow(), _backoff.Attempts, error));

    private string Describe(Exception ex) => ex switch
    {
        // Negotiation answers 401 to an unknown or revoked credential and 403 to a key that is not an agent's.
        HttpRequestException { StatusCode: { } status } when status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
            $"{_hubUrl} refused the credential ({(int)status} {status})",
        { InnerException: { } inner } => $"{ex.Message} ({inner.Message})",
        _ => ex.Message,
    };

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Connected as host {HostId}: {Links} desired links, unacknowledged batches {First}..{Last}")]
    private partial void LogConnected(Guid hostId, int links, long first, long last);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Disconnected: {Reason}")]
    private partial void LogDisconnected(string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Connecting to the Api failed: {Error}")]
    private partial void LogConnectionFailed(string error);

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "The Api refused the credential of host {HostId}: {Error}. Re-enroll with 'fleet-agent enroll --force' if the host was deleted.")]
    private partial void LogCredentialRefused(Guid hostId, string error);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "Reconnecting in {DelaySeconds:0.0} s")]
    private partial void LogReconnecting(double delaySeconds);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Sending {What} failed: {Error}")]
    private partial void LogSendFailed(string what, string error);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "The Api rejected batch {Sequence}: {Reason}; dropped")]
    private partial void LogRejected(long sequence, string reason);

    [LoggerMessage(EventId = 307, Level = LogLevel.Warning, Message = "Acknowledgement for batch {Expected} named {Actual}; kept the batch")]
    private partial void LogAckMismatch(long expected, long actual);

    [LoggerMessage(EventId = 308, Level = LogLevel.Error, Message = "Handling a message from the Api failed")]
    private partial void LogWorkFailed(Exception exception);

    [LoggerMessage(EventId = 309, Level = LogLevel.Debug, Message = "Stopping the hub connection: {Error}")]
    private partial void LogStopFailed(string error);
}
