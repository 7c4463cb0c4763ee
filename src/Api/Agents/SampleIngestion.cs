using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Fleet.Api.Live;
using Fleet.Contracts.Agents;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Api.Agents;

/// <summary>
/// The ingest pipeline behind <c>ReportBatch</c>: hub calls queue their batch and wait; one writer takes everything
/// queued so far as a group and stores it in one transaction (group commit: the busier the Api, the bigger the groups),
/// then answers each caller — so an agent's batch is acknowledged only once it is durable — and hands the newly stored
/// samples to the live hub and the host activity tracker. A batch resent while its first copy is still queued waits
/// for that copy and is acknowledged as a duplicate.
/// </summary>
public sealed partial class SampleIngestion : BackgroundService
{
    /// <summary>Most batches written in one transaction.</summary>
    public const int MaxGroup = 2_000;

    private static readonly TimeSpan[] s_retryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(50_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly IBatchStore _store;
    private readonly LiveFanout _live;
    private readonly HostActivity _activity;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Counter<long> _storedSamples;
    private readonly Counter<long> _duplicateBatches;
    private readonly Histogram<double> _writeSeconds;

    public SampleIngestion(IBatchStore store, LiveFanout live, HostActivity activity, TimeProvider time, IMeterFactory meters, ILogger<SampleIngestion> logger)
    {
        _store = store;
        _live = live;
        _activity = activity;
        _time = time;
        _logger = logger;
        var meter = meters.Create("Fleet.Api.Ingest");
        _storedSamples = meter.CreateCounter<long>("fleet.ingest.samples", "{sample}", "Samples stored");
        _duplicateBatches = meter.CreateCounter<long>("fleet.ingest.duplicate_batches", "{batch}", "Resent batches recognised as stored");
        _writeSeconds = meter.CreateHistogram<double>("fleet.ingest.write.duration", "s", "Time to store one group of batches");
    }

    /// <summary>Queues a validated batch of <paramref name="hostId"/> and completes once it is stored (or known to be).</summary>
    public async Task<BatchAck> SubmitAsync(Guid hostId, SampleBatch batch, CancellationToken cancellationToken)
    {
        var pending = new Pending(new IngestItem(hostId, batch, _time.GetUtcNow().UtcDateTime), new TaskCompletionSource<BatchAck>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = new List<Pending>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                group.Clear();
                while (group.Count < MaxGroup && _queue.Reader.TryRead(out var pending))
                {
                    group.Add(pending);
                }

                await WriteGroupAsync(group, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Whatever is still queued was not stored: the agents resend it after they reconnect.
        while (_queue.Reader.TryRead(out var left))
        {
            left.Done.TrySetCanceled(CancellationToken.None);
        }
    }

    private async Task WriteGroupAsync(List<Pending> group, CancellationToken cancellationToken)
    {
        // One write per (host, sequence); copies in the same group share the first one's outcome.
        var primaries = new Dictionary<(Guid, long), int>();
        var items = new List<IngestItem>(group.Count);
        var owners = new List<Pending>(group.Count);
        var copies = new List<(Pending Copy, int Primary)>();
        foreach (var pending in group)
        {
            var key = (pending.Item.HostId, pending.Item.Batch.Sequence);
            if (primaries.TryGetValue(key, out var primary))
            {
                copies.Add((pending, primary));
                continue;
            }

            primaries[key] = items.Count;
            items.Add(pending.Item);
            owners.Add(pending);
        }

        bool[] stored;
        var started = Stopwatch.GetTimestamp();
        try
        {
            stored = await StoreWithRetryAsync(items, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogWriteFailed(items.Count, ex);
            foreach (var pending in group)
            {
                pending.Done.TrySetException(new HubException("the batch could not be stored; it will be resent"));
            }

            return;
        }

        _writeSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        for (var i = 0; i < items.Count; i++)
        {
            var batch = items[i].Batch;
            if (stored[i])
            {
                _storedSamples.Add(batch.Samples.Count);
                if (batch.Samples.Count > 0)
                {
                    _live.PublishSamples(items[i].HostId, batch.Samples);
                    _activity.SamplesStored(items[i].HostId, batch.Samples);
                }
            }
            else
            {
                _duplicateBatches.Add(1);
            }

            owners[i].Done.TrySetResult(new BatchAck(batch.Sequence, Duplicate: !stored[i]));
        }

        foreach (var (copy, _) in copies)
        {
            _duplicateBatches.Add(1);
            copy.Done.TrySetResult(new BatchAck(copy.Item.Batch.Sequence, Duplicate: true));
        }
    }

    private async Task<bool[]> StoreWithRetryAsync(List<IngestItem> items, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await _store.StoreAsync(items, cancellationToken);
            }
            catch (Exception ex) when (attempt < s_retryDelays.Length && ex is not OperationCanceledException)
            {
                LogRetrying(items.Count, attempt + 1, ex.Message);
                await Task.Delay(s_retryDelays[attempt], _time, cancellationToken);
            }
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Storing {Count} batches failed; the agents will resend them")]
    private partial void LogWriteFailed(int count, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Storing {Count} batches failed (attempt {Attempt}): {Error}; retrying")]
    private partial void LogRetrying(int count, int attempt, string error);

    private sealed record Pending(IngestItem Item, TaskCompletionSource<BatchAck> Done);
}
