using System.Collections.Concurrent;
using Fleet.Contracts.Live;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Api.Live;

/// <summary>
/// Sends what subscriptions collected, at most <see cref="LiveLimits.MaxUpdatesPerSecond"/> pushes per second per
/// subscription, through one <see cref="LiveOutbox"/> per connection so that no connection waits for another. A
/// connection still writing an earlier flush's pushes is skipped (its subscriptions keep coalescing, so it gets fewer,
/// larger pushes); once one of its pushes has waited longer than the send timeout it is dropped: aborted, and its
/// subscriptions forgotten (its dashboard reconnects and subscribes afresh, snapshot included).
/// </summary>
internal sealed partial class LivePusher(
    IHubContext<LiveHub, ILiveClient> hub,
    LiveFeeds feeds,
    DirtySubscriptions dirty,
    TimeProvider time,
    TimeSpan sendTimeout,
    ILogger logger)
{
    private static readonly TimeSpan s_minimumGap = TimeSpan.FromSeconds(1.0 / LiveLimits.MaxUpdatesPerSecond);

    private readonly List<LiveSubscription> _waiting = [];
    private readonly ConcurrentDictionary<string, LiveOutbox> _outboxes = new();
    private long _round;
    private long _lastSweep = time.GetTimestamp();

    /// <summary>A dashboard connected: remember its connection so that it can be aborted.</summary>
    public void Connected(HubCallerContext context) => Outbox(context.ConnectionId).Context = context;

    /// <summary>A dashboard went away: stop sending to it.</summary>
    public void Disconnected(string connectionId)
    {
        if (_outboxes.TryRemove(connectionId, out var outbox))
        {
            outbox.Close();
        }
    }

    /// <summary>Whether subscriptions wait for their next push (arrived, not yet allowed again, or their connection busy).</summary>
    public bool HasWork => _waiting.Count > 0 || !dirty.IsEmpty;

    /// <summary>Hands what is due to the connections' outboxes (a subscription's previous push is at least a quarter second old).</summary>
    public void Flush()
    {
        while (dirty.TryDequeue(out var subscription))
        {
            _waiting.Add(subscription);
        }

        if (_waiting.Count == 0)
        {
            return;
        }

        var now = time.GetTimestamp();
        var round = ++_round;
        for (var i = _waiting.Count - 1; i >= 0; i--)
        {
            var subscription = _waiting[i];
            if (subscription.Closed)
            {
                _waiting.RemoveAt(i);
                continue;
            }

            if (subscription.NextAllowed > now)
            {
                continue;
            }

            var outbox = Outbox(subscription.ConnectionId);
            if (outbox.IsBusyBefore(round))
            {
                if (outbox.Waiting(now) > sendTimeout)
                {
                    Drop(outbox, outbox.Waiting(now));
                    _waiting.RemoveAt(i);
                }

                continue;
            }

            _waiting.RemoveAt(i);
            subscription.NextAllowed = now + (long)(s_minimumGap.TotalSeconds * time.TimestampFrequency);
            var pushes = subscription.Take();
            if (pushes.Count > 0)
            {
                outbox.Enqueue(pushes, round);
            }
        }
    }

    /// <summary>Forgets idle outboxes of connections that hold no subscription (at most once a minute).</summary>
    public void SweepIdle()
    {
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(_lastSweep, now) < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _lastSweep = now;
        foreach (var (connectionId, outbox) in _outboxes)
        {
            if (outbox.Context is null && outbox.IsIdle && feeds.SubscriptionCount(connectionId) == 0)
            {
                _outboxes.TryRemove(connectionId, out _);
            }
        }
    }

    private LiveOutbox Outbox(string connectionId) =>
        _outboxes.GetOrAdd(connectionId, id => new LiveOutbox(id, hub.Clients.Client(id), time, logger));

    private void Drop(LiveOutbox outbox, TimeSpan waited)
    {
        LogDropped(logger, outbox.ConnectionId, waited.TotalSeconds);
        _outboxes.TryRemove(outbox.ConnectionId, out _);
        outbox.Close();
        feeds.Disconnected(outbox.ConnectionId);
        outbox.Context?.Abort();
    }

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Live dashboard connection {ConnectionId} dropped: a push to it has waited {Seconds:F1} s (it stopped reading)")]
    private static partial void LogDropped(ILogger logger, string connectionId, double seconds);
}
