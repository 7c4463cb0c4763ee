using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Reconciliation;

/// <summary>
/// One commit-confirm deadline per link: when a deadline passes, <c>onExpired(link, generation)</c> runs in the
/// background (it takes the reconciler's gate itself, so it must not run on the timer's thread while an operation
/// holds it). Rollbacks started that way can be awaited (<see cref="DrainAsync"/>, tests).
/// </summary>
internal sealed partial class ConfirmationTimers(
    Func<Guid, long, Task> onExpired,
    TimeProvider time,
    ILogger logger,
    CancellationToken lifetime) : IDisposable
{
    private readonly Dictionary<Guid, ITimer> _timers = [];
    private readonly List<Task> _background = [];

    /// <summary>Runs <c>onExpired(linkId, generation)</c> at <paramref name="deadline"/> (at once if it passed), replacing the link's timer.</summary>
    public void Arm(Guid linkId, long generation, DateTimeOffset deadline)
    {
        var due = deadline - time.GetUtcNow();
        lock (_timers)
        {
            if (_timers.Remove(linkId, out var old))
            {
                old.Dispose();
            }

            _timers[linkId] = time.CreateTimer(
                _ => StartBackground(() => onExpired(linkId, generation)),
                null,
                due < TimeSpan.Zero ? TimeSpan.Zero : due,
                Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops the link's timer, if any.</summary>
    public void Disarm(Guid linkId)
    {
        lock (_timers)
        {
            if (_timers.Remove(linkId, out var timer))
            {
                timer.Dispose();
            }
        }
    }

    /// <summary>Waits for the rollbacks started by expired timers.</summary>
    public Task DrainAsync()
    {
        lock (_background)
        {
            return Task.WhenAll([.. _background]);
        }
    }

    /// <summary>Stops every timer; pending confirmations stay persisted and resume at the next start.</summary>
    public void Dispose()
    {
        lock (_timers)
        {
            foreach (var timer in _timers.Values)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }
    }

    private void StartBackground(Func<Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
            {
            }
            catch (ObjectDisposedException) when (lifetime.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                LogBackgroundFailed(ex);
            }
        });
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
    }

    [LoggerMessage(EventId = 414, Level = LogLevel.Error, Message = "A confirmation timer's rollback failed")]
    private partial void LogBackgroundFailed(Exception exception);
}
