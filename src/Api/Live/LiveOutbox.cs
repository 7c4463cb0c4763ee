using Fleet.Contracts.Live;
using Microsoft.AspNetCore.SignalR;

namespace Fleet.Api.Live;

/// <summary>
/// One dashboard connection's pushes, sent one after another without anyone awaiting them: a connection whose client
/// stops reading blocks only its own queue. The pusher asks <see cref="IsBusyBefore"/> and <see cref="Waiting"/> to
/// skip such a connection (its data keeps coalescing meanwhile) and to drop it when a push has waited too long.
/// </summary>
internal sealed partial class LiveOutbox(string connectionId, ILiveClient client, TimeProvider time, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly Queue<LivePush> _queue = new();
    private bool _sending;
    private bool _closed;
    private long _sendStarted;
    private long _round = -1;

    public string ConnectionId { get; } = connectionId;

    /// <summary>The connection itself, to abort it (known once the hub reported it connected).</summary>
    public HubCallerContext? Context { get; set; }

    /// <summary>True when pushes handed over before flush <paramref name="round"/> are still waiting or in flight.</summary>
    public bool IsBusyBefore(long round)
    {
        lock (_gate)
        {
            return (_sending || _queue.Count > 0) && _round != round;
        }
    }

    /// <summary>How long the push in flight has been waiting to be written; zero when none is.</summary>
    public TimeSpan Waiting(long now)
    {
        lock (_gate)
        {
            return _sending ? time.GetElapsedTime(_sendStarted, now) : TimeSpan.Zero;
        }
    }

    /// <summary>True when nothing is queued or in flight.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return !_sending && _queue.Count == 0;
            }
        }
    }

    /// <summary>Queues pushes of flush <paramref name="round"/> and starts sending unless a send is in flight.</summary>
    public void Enqueue(List<LivePush> pushes, long round)
    {
        LivePush first;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _round = round;
            foreach (var push in pushes)
            {
                _queue.Enqueue(push);
            }

            if (_sending || !_queue.TryDequeue(out first))
            {
                return;
            }

            _sending = true;
            _sendStarted = time.GetTimestamp();
        }

        SendFrom(first);
    }

    /// <summary>Stops sending: what is queued is dropped (the connection went away or was dropped).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _queue.Clear();
        }
    }

    /// <summary>Sends pushes while they complete at once; a pending one continues the chain when it completes.</summary>
    private void SendFrom(LivePush push)
    {
        while (true)
        {
            Task task;
            try
            {
                task = push.SendAsync(client);
            }
            catch (Exception ex)
            {
                task = Task.FromException(ex);
            }

            if (!task.IsCompleted)
            {
                task.ContinueWith(static (sent, state) => ((LiveOutbox)state!).Sent(sent), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return;
            }

            Observe(task);
            if (!TryNext(out push))
            {
                return;
            }
        }
    }

    private void Sent(Task task)
    {
        Observe(task);
        if (TryNext(out var next))
        {
            SendFrom(next);
        }
    }

    private bool TryNext(out LivePush next)
    {
        lock (_gate)
        {
            if (_closed || !_queue.TryDequeue(out next))
            {
                _sending = false;
                next = default;
                return false;
            }

            _sendStarted = time.GetTimestamp();
            return true;
        }
    }

    private void Observe(Task task)
    {
        if (task.Exception is { } failure)
        {
            // A dashboard that went away; its subscriptions go when SignalR reports the disconnect.
            LogSendFailed(logger, ConnectionId, failure.GetBaseException().Message);
        }
    }

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "A live push to {ConnectionId} failed: {Error}")]
    private static partial void LogSendFailed(ILogger logger, string connectionId, string error);
}
