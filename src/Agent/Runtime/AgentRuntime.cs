using Fleet.Agent.Backends;
using Fleet.Agent.Events;
using Fleet.Agent.Hub;
using Fleet.Agent.Identity;
using Fleet.Agent.Queue;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.Sampling;
using Fleet.Agent.Status;
using Fleet.Agent.Storage;
using Fleet.Contracts.Agents;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Runtime;

/// <summary>
/// One agent: restores its links, samples them every interval into the batch queue, and keeps the hub connection
/// running. The daemon runs one; the simulator runs many in one process.
/// </summary>
public sealed partial class AgentRuntime
{
    private readonly AgentIdentity _identity;
    private readonly IBatchQueue _queue;
    private readonly Reconciler _reconciler;
    private readonly AgentHubClient _hub;
    private readonly MemberSampler _sampler;
    private readonly ClassSampler _classSampler = new();
    private readonly MemberStateSampler _stateSampler = new();
    private readonly AgentEventLog _events;
    private readonly HealthChangeSignal _healthChanges;
    private readonly AgentRuntimeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DateTimeOffset _startedAt;
    private readonly Lock _statusGate = new();
    private IReadOnlyList<MemberSample> _lastSamples = [];
    private long _samplesProduced;
    private long _loopProgressTimestamp;

    /// <summary>Assembles a runtime from its parts.</summary>
    public AgentRuntime(
        AgentIdentity identity,
        IBatchQueue queue,
        Reconciler reconciler,
        AgentHubClient hub,
        AgentEventLog events,
        AgentRuntimeOptions options,
        TimeProvider time,
        ILogger<AgentRuntime> logger,
        HealthChangeSignal? healthChanges = null)
    {
        _identity = identity;
        _queue = queue;
        _reconciler = reconciler;
        _hub = hub;
        _events = events;
        _sampler = new MemberSampler(events);
        _healthChanges = healthChanges ?? new HealthChangeSignal();
        _options = options;
        _time = time;
        _logger = logger;
        _startedAt = time.GetUtcNow();
        _loopProgressTimestamp = time.GetTimestamp();

        // `fleet-agent status` shows a link's phase as soon as it changes, not only at the next sampling interval.
        _reconciler.RecordsChanged += WriteStatus;
        _queue.Overflowed += overflow => _events.Add(
            AgentEventKind.QueueOverflow,
            EventSeverity.Warning,
            $"the on-disk queue was full: dropped {overflow.DroppedBatches} unsent batches ({overflow.FirstSequence}..{overflow.LastSequence})");
    }

    /// <summary>The host this agent reports for.</summary>
    public Guid HostId => _identity.HostId;

    /// <summary>The hub connection.</summary>
    public AgentHubClient Hub => _hub;

    /// <summary>The reconciler.</summary>
    public Reconciler Reconciler => _reconciler;

    /// <summary>The batch queue.</summary>
    public IBatchQueue Queue => _queue;

    /// <summary>
    /// Whether intervals are sampled (default). Off, the agent stays connected, applies specs and drains its queue but
    /// produces no samples: benchmarks use it to measure an idle fleet and to let queues drain before they count.
    /// </summary>
    public bool SamplingEnabled { get; set; } = true;

    /// <summary>
    /// Whether a backend's health change is sampled at once (default) rather than at the next interval; off, only
    /// intervals sample (the health-push benchmark's baseline).
    /// </summary>
    public bool PushHealthChanges { get; set; } = true;

    /// <summary>Least time between two samples when health changes come in quick succession.</summary>
    public static readonly TimeSpan MinimumSampleGap = TimeSpan.FromMilliseconds(50);

    /// <summary>Samples put into the queue since start.</summary>
    public long SamplesProduced => Interlocked.Read(ref _samplesProduced);

    /// <summary>
    /// When the sampling loop last began an interval (a <see cref="TimeProvider"/> timestamp; the start before that). It
    /// stops moving when an interval hangs, which is what the systemd watchdog looks for (docs/agent.md).
    /// </summary>
    public long LoopProgressTimestamp => Interlocked.Read(ref _loopProgressTimestamp);

    /// <summary>The sampling interval.</summary>
    public TimeSpan SampleInterval => _options.SampleInterval;

    /// <summary>Runs until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _reconciler.InitializeAsync(cancellationToken);
        _events.Add(AgentEventKind.AgentStarted, EventSeverity.Info, $"fleet-agent {Program.Version} started");
        LogStarted(_identity.HostId, _identity.ServerUrl, _options.SampleInterval.TotalMilliseconds);
        var hub = _hub.RunAsync(cancellationToken);
        var sampling = SampleLoopAsync(cancellationToken);
        await Task.WhenAll(hub, sampling);
    }

    /// <summary>One sampling interval: observe, turn counters into samples, queue them with the pending events.</summary>
    public async Task SampleOnceAsync(CancellationToken cancellationToken)
    {
        var links = await _reconciler.ObserveAsync(cancellationToken);
        var now = _time.GetUtcNow();
        var samples = _sampler.Sample(now, links);
        Volatile.Write(ref _lastSamples, samples);
        var striper = StriperReports.NullIfEmpty(new StriperReport { Classes = _classSampler.Sample(now, links), MemberStates = _stateSampler.Sample(now, links) });
        var events = _events.Drain();
        if (samples.Count == 0 && events.Count == 0 && striper is null)
        {
            return;
        }

        for (var offset = 0; offset < Math.Max(1, samples.Count); offset += _options.MaxSamplesPerBatch)
        {
            var slice = samples.Count <= _options.MaxSamplesPerBatch ? samples : samples.Skip(offset).Take(_options.MaxSamplesPerBatch).ToList();
            _queue.Enqueue(slice, offset == 0 ? events : [], offset == 0 ? striper : null);
        }

        Interlocked.Add(ref _samplesProduced, samples.Count);
    }

    /// <summary>The local view for <c>fleet-agent status</c>.</summary>
    public AgentStatus Snapshot()
    {
        var health = _sampler.Health;
        var lastSamples = Volatile.Read(ref _lastSamples).ToLookup(s => s.LinkId);
        var links = _reconciler.Records.Select(record =>
        {
            var spec = record.InForce ?? record.Applied?.Spec;
            return new LinkStatus
            {
                LinkId = record.LinkId,
                Name = spec?.Name,
                Kind = spec?.Kind,
                Phase = record.Phase,
                ObservedGeneration = record.Applied?.Generation ?? 0,
                TargetGeneration = record.TargetGeneration,
                ConfirmDeadline = record.Removal?.Deadline ?? record.Pending?.Deadline,
                Error = record.Error,
                Members = spec is null
                    ? []
                    : [.. spec.Members.Select(m => new MemberStatus(m.Interface, health.GetValueOrDefault((record.LinkId, m.Interface))))],
                Samples = [.. lastSamples[record.LinkId]],
                Bond = _reconciler.BondOf(record.LinkId),
            };
        }).ToList();

        return new AgentStatus
        {
            ProcessId = Environment.ProcessId,
            AgentVersion = Program.Version,
            HostId = _identity.HostId,
            Server = _identity.ServerUrl.ToString(),
            StartedAt = _startedAt,
            UpdatedAt = _time.GetUtcNow(),
            SampleIntervalMs = (int)_options.SampleInterval.TotalMilliseconds,
            Connection = _hub.Status,
            Queue = _queue.Stats,
            Links = links,
        };
    }

    private async Task SampleLoopAsync(CancellationToken cancellationToken)
    {
        // Each host samples at its own offset within the interval, so a fleet's batches do not all arrive at once.
        var intervalMs = (long)_options.SampleInterval.TotalMilliseconds;
        var offsetMs = (long)((uint)_identity.HostId.GetHashCode() % (ulong)intervalMs);
        Task<bool>? healthChanged = null;
        long? lastSample = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Interlocked.Exchange(ref _loopProgressTimestamp, _time.GetTimestamp());
                var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
                var nextMs = ((nowMs - offsetMs) / intervalMs * intervalMs) + intervalMs + offsetMs;
                var tick = Task.Delay(TimeSpan.FromMilliseconds(nextMs - nowMs), _time, cancellationToken);

                // A member's health changed: sample now, not at the tick (the wait stays pending across ticks, so a
                // quiet agent holds one waiter, not one per interval).
                while (true)
                {
                    healthChanged ??= _healthChanges.WaitAsync(cancellationToken).AsTask();
                    if (await Task.WhenAny(tick, healthChanged) == tick)
                    {
                        break;
                    }

                    await healthChanged;
                    healthChanged = null;
                    _healthChanges.TryTake();
                    if (!SamplingEnabled || !PushHealthChanges)
                    {
                        continue;
                    }

                    // A flapping member costs at most one extra sample per gap; each carries its own interval, so rates stay right.
                    if (lastSample is { } last && _time.GetElapsedTime(last) is var since && since < MinimumSampleGap)
                    {
                        await Task.Delay(MinimumSampleGap - since, _time, cancellationToken);
                    }

                    await SampleAndReportAsync(cancellationToken);
                    lastSample = _time.GetTimestamp();
                    Interlocked.Exchange(ref _loopProgressTimestamp, lastSample.Value);
                }

                await tick;
                if (!SamplingEnabled)
                {
                    continue;
                }

                // A sample taken for a health change less than half an interval ago stands for this tick: a sample over
                // a few milliseconds would draw a meaningless rate.
                if (lastSample is { } early && _time.GetElapsedTime(early) < _options.SampleInterval / 2)
                {
                    continue;
                }

                await SampleAndReportAsync(cancellationToken);
                lastSample = _time.GetTimestamp();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            WriteStatus();
        }
    }

    private async Task SampleAndReportAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SampleOnceAsync(cancellationToken);
            WriteStatus();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogSampleFailed(ex);
        }
    }

    private void WriteStatus()
    {
        if (_options.StatusFile is not { } path)
        {
            return;
        }

        try
        {
            // One writer at a time, so an older snapshot never replaces a newer one.
            lock (_statusGate)
            {
                AtomicFile.WriteJson(path, Snapshot(), AtomicFile.WorldReadable, durable: false);
            }
        }
        catch (IOException ex)
        {
            LogStatusFailed(ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            LogStatusFailed(ex.Message);
        }
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Agent for host {HostId} started; Api {Server}; sampling every {IntervalMs} ms")]
    private partial void LogStarted(Guid hostId, Uri server, double intervalMs);

    [LoggerMessage(EventId = 601, Level = LogLevel.Error, Message = "A sampling interval failed")]
    private partial void LogSampleFailed(Exception exception);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "Writing the status file failed: {Error}")]
    private partial void LogStatusFailed(string error);
}
