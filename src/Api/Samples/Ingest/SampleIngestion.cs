using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Fleet.Api.Agents;
using Fleet.Api.Live;
using Fleet.Contracts.Agents;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Api.Samples.Ingest;

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
    private readonly LiveLinkHealth? _linkHealth;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Counter<long> _storedSamples;
    private readonly Counter<long> _duplicateBatches;
    private readonly Counter<long> _refusedBatches;
    private readonly Counter<long> _isolations;
    private readonly Histogram<double> _writeSeconds;

    public SampleIngestion(IBatchStore store, LiveFanout live, HostActivity activity, TimeProvider time, IMeterFactory meters, ILogger<SampleIngestion> logger, LiveLinkHealth? linkHealth = null)
    {
        _linkHealth = linkHealth;
        _store = store;
        _live = live;
        _activity = activity;
        _time = time;
        _logger = logger;
        var meter = meters.Create("Fleet.Api.Ingest");
        _storedSamples = meter.CreateCounter<long>("fleet.ingest.samples", "{sample}", "Samples stored");
        _duplicateBatches = meter.CreateCounter<long>("fleet.ingest.duplicate_batches", "{batch}", "Resent batches recognised as stored");
        _refusedBatches = meter.CreateCounter<long>("fleet.ingest.refused_batches", "{batch}", "Batches the database refused on their own (the rest of their group was stored)");
        _isolations = meter.CreateCounter<long>("fleet.ingest.isolations", "{split}", "Groups split in two to isolate a batch the database refused");
        _writeSeconds = meter.CreateHistogram<double>("fleet.ingest.write.duration", "s", "Time to store one group of batches");
    }

    /// <summary>Queues a validated batch of <paramref name="hostId"/> and completes once it is stored (or known to be).</summary>
    public async Task<BatchAck> SubmitAsync(Guid hostId, SampleBatch batch, CancellationToken cancellationToken)
    {
        var pending = new Pending(new IngestItem(hostId, batch, _time.GetUtcNow().UtcDateTime), new TaskCompletionSource<BatchAck>(TaskCreationOptions.RunContinuationsAsynchronously));

        // A caller that is gone (its connection closed) resends after it reconnects: its queued copy is skipped, so a
        // reconnect storm does not leave the writer storing thousands of copies nobody waits for.
        await using var abandoned = cancellationToken.Register(static p => ((Pending)p!).Done.TrySetCanceled(), pending);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Done.Task;
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
                    if (!pending.Done.Task.IsCompleted)
                    {
                        group.Add(pending);
                    }
                }

                if (group.Count > 0)
                {
                    await WriteGroupAsync(group, stoppingToken);
                }
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
        // One write per (host, queue, sequence); copies in the same group share the first one's outcome.
        var primaries = new Dictionary<BatchKey, int>();
        var items = new List<IngestItem>(group.Count);
        var owners = new List<Pending>(group.Count);
        var copies = new List<(Pending Copy, int Primary)>();
        foreach (var pending in group)
        {
            var key = BatchKey.Of(pending.Item);
            if (primaries.TryGetValue(key, out var primary))
            {
                copies.Add((pending, primary));
                continue;
            }

            primaries[key] = items.Count;
            items.Add(pending.Item);
            owners.Add(pending);
        }

        var outcomes = new StoreOutcome[items.Count];
        var started = Stopwatch.GetTimestamp();
        try
        {
            await StoreIsolatingAsync(items, 0, items.Count, outcomes, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        _writeSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        for (var i = 0; i < items.Count; i++)
        {
            Answer(owners[i], items[i], outcomes[i], copy: false);
        }

        foreach (var (copy, primary) in copies)
        {
            Answer(copy, copy.Item, outcomes[primary], copy: true);
        }
    }

    /// <summary>
    /// Stores <paramref name="items"/>[<paramref name="from"/>..<paramref name="to"/>) in one transaction. A transient
    /// failure (connection, timeout, pool) is retried and then reported for all of them: the database is the problem.
    /// Any other failure is a batch's fault, or some batches': the range is halved and each half stored on its own,
    /// down to the single batches the database refuses, which are answered with the reason. One bad batch costs its
    /// group about 2·log2(n) small transactions and delays nobody else's acknowledgement by more than that.
    /// </summary>
    private async Task StoreIsolatingAsync(List<IngestItem> items, int from, int to, StoreOutcome[] outcomes, CancellationToken cancellationToken)
    {
        try
        {
            var stored = await StoreWithRetryAsync(items.GetRange(from, to - from), cancellationToken);
            for (var i = from; i < to; i++)
            {
                outcomes[i] = stored[i - from] ? StoreOutcome.Stored : StoreOutcome.Duplicate;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (IngestFailures.IsTransient(ex))
            {
                LogWriteFailed(to - from, ex);
                outcomes.AsSpan(from, to - from).Fill(StoreOutcome.Failed);
            }
            else if (to - from == 1)
            {
                LogRefusedByDatabase(items[from].HostId, items[from].Batch.Sequence, ex.Message);
                outcomes[from] = StoreOutcome.Refused(IngestFailures.Describe(ex));
            }
            else
            {
                _isolations.Add(1);
                var middle = from + ((to - from) / 2);
                await StoreIsolatingAsync(items, from, middle, outcomes, cancellationToken);
                await StoreIsolatingAsync(items, middle, to, outcomes, cancellationToken);
            }
        }
    }

    private void Answer(Pending pending, IngestItem item, StoreOutcome outcome, bool copy)
    {
        var batch = item.Batch;
        switch (outcome.Kind)
        {
            case StoreOutcomeKind.Stored when !copy:
                _storedSamples.Add(batch.Samples.Count);
                if (batch.Samples.Count > 0)
                {
                    _live.PublishSamples(item.HostId, batch.Samples);
                    _activity.SamplesStored(item.HostId, batch.Samples);
                    _linkHealth?.SamplesStored(batch.Samples);
                }

                if (batch.Striper?.MemberStates is { Count: > 0 } states)
                {
                    _activity.MemberStatesStored(states);
                }

                pending.Done.TrySetResult(new BatchAck(batch.Sequence));
                break;
            case StoreOutcomeKind.Stored:
            case StoreOutcomeKind.Duplicate:
                _duplicateBatches.Add(1);
                pending.Done.TrySetResult(new BatchAck(batch.Sequence, Duplicate: true));
                break;
            case StoreOutcomeKind.Refused:
                _refusedBatches.Add(1);
                pending.Done.TrySetResult(new BatchAck(batch.Sequence, Rejected: outcome.Reason));
                break;
            case StoreOutcomeKind.Failed:
                pending.Done.TrySetException(new HubException("the batch could not be stored; it will be resent"));
                break;
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
            catch (Exception ex) when (attempt < s_retryDelays.Length && ex is not OperationCanceledException && IngestFailures.IsTransient(ex))
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

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Agent of host {HostId}: the database refused batch {Sequence}: {Error}; the batch is refused, the others of its group are stored")]
    private partial void LogRefusedByDatabase(Guid hostId, long sequence, string error);

    private sealed record Pending(IngestItem Item, TaskCompletionSource<BatchAck> Done);

    private enum StoreOutcomeKind
    {
        Stored,
        Duplicate,
        Refused,
        Failed,
    }

    private readonly record struct StoreOutcome(StoreOutcomeKind Kind, string? Reason = null)
    {
        public static StoreOutcome Stored => new(StoreOutcomeKind.Stored);

        public static StoreOutcome Duplicate => new(StoreOutcomeKind.Duplicate);

        public static StoreOutcome Failed => new(StoreOutcomeKind.Failed);

        public static StoreOutcome Refused(string reason) => new(StoreOutcomeKind.Refused, reason);
    }
}
