using Fleet.Contracts.Agents;
using Microsoft.AspNetCore.SignalR.Client;

namespace Fleet.Agent.Hub;

/// <summary>
/// Sending the batch queue on a connection: from the oldest unacknowledged batch, up to
/// <see cref="HubClientOptions.MaxBatchesInFlight"/> at once, each acknowledged in the queue only when the Api says it is
/// stored (or rejected it for good); a failed send ends the connection, and the next one resends from the oldest.
/// </summary>
public sealed partial class AgentHubClient
{
    private async Task SendBatchesAsync(CancellationToken cancellationToken)
    {
        using var window = new SemaphoreSlim(_options.MaxBatchesInFlight);
        var inFlight = new List<Task>();
        try
        {
            var next = _queue.FirstPending;
            while (!cancellationToken.IsCancellationRequested)
            {
                await _queue.WaitForSequenceAsync(next, cancellationToken);
                var sequence = next++;
                var batch = _queue.Read(sequence);
                if (batch is null)
                {
                    continue;
                }

                await window.WaitAsync(cancellationToken);
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(SendBatchAsync(batch, window, cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task SendBatchAsync(SampleBatch batch, SemaphoreSlim window, CancellationToken cancellationToken)
    {
        try
        {
            Interlocked.Increment(ref _batchesSent);

            // Read at send time, not stored with the batch: a resend tells the Api how far behind the agent is now.
            // From the oldest unacknowledged batch to the newest (acknowledgements out of order inside the send window
            // make it an upper bound); two cheap reads, where Stats may walk the whole queue on every send.
            batch = batch with { PendingBatches = Math.Max(0, _queue.NextSequence - _queue.FirstPending) };
            var ack = await _connection.InvokeAsync<BatchAck>(nameof(IAgentHub.ReportBatch), batch, cancellationToken);
            if (ack.Sequence != batch.Sequence)
            {
                LogAckMismatch(batch.Sequence, ack.Sequence);
                return;
            }

            if (ack.Rejected is { } reason)
            {
                Interlocked.Increment(ref _rejected);
                LogRejected(batch.Sequence, reason);
            }
            else
            {
                Interlocked.Increment(ref _batchesAcknowledged);
                Interlocked.Add(ref _samplesAcknowledged, batch.Samples.Count);
                if (ack.Duplicate)
                {
                    Interlocked.Increment(ref _duplicates);
                }
            }

            _queue.Acknowledge(batch.Sequence);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            // The batch stays queued; the next connection resends it from the oldest unacknowledged one.
            LogSendFailed($"batch {batch.Sequence}", ex.Message);
            await _connection.StopAsync(CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            window.Release();
        }
    }
}
