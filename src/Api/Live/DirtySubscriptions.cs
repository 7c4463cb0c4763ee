using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Fleet.Api.Live;

/// <summary>
/// The subscriptions that got something to push, in arrival order, and a wake-up for the push loop when the first
/// arrives: an idle Api (no dashboard, or nothing new) schedules no push tick at all instead of one every 20 ms.
/// </summary>
internal sealed class DirtySubscriptions
{
    private readonly ConcurrentQueue<LiveSubscription> _queue = new();

    // One pending signal at most: a burst of arrivals wakes the loop once.
    private readonly Channel<bool> _arrived = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private Task<bool>? _arrival;

    public bool IsEmpty => _queue.IsEmpty;

    public void Enqueue(LiveSubscription subscription)
    {
        _queue.Enqueue(subscription);
        _arrived.Writer.TryWrite(true);
    }

    public bool TryDequeue(out LiveSubscription subscription) => _queue.TryDequeue(out subscription!);

    /// <summary>
    /// Waits until a subscription arrives or <paramref name="timeout"/> passes on <paramref name="time"/>, whichever is
    /// first. Only the push loop waits; the pending wait carries over to the next call when the timeout won.
    /// </summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        _arrival ??= _arrived.Reader.WaitToReadAsync(cancellationToken).AsTask();
        if (!_queue.IsEmpty || await Task.WhenAny(_arrival, Task.Delay(timeout, time, cancellationToken)) == _arrival)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _arrived.Reader.TryRead(out _);
            _arrival = null;
        }
    }
}
