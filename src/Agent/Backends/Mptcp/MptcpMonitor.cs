using System.Net;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Processes;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Backends.Mptcp;

/// <summary>
/// Runs <c>ip mptcp monitor</c> in a <see cref="KernelContext"/> and keeps what it says: a bounded log of events with
/// sequence numbers (so each link reads the events since its last observation) and the last subflow event per local
/// address (member health: a member whose last subflow closed with an error and has none left is degraded).
/// Restarted when it exits.
/// </summary>
public sealed partial class MptcpMonitor(KernelContext context, TimeProvider timeProvider, ILogger logger) : IAsyncDisposable
{
    private const int MaxEvents = 2048;

    // The kernel subscribes the monitor to the MPTCP multicast group right after it starts; give it that moment so a
    // connection opened just after Apply is seen.
    private static readonly TimeSpan s_settle = TimeSpan.FromMilliseconds(300);

    private readonly Lock _lock = new();
    private readonly LinkedList<(long Sequence, MptcpEvent Event)> _events = new();
    private readonly Dictionary<IPAddress, MptcpEvent> _lastSubflowEvent = [];
    private ICommandStream? _stream;
    private Task? _reader;
    private CancellationTokenSource? _stop;
    private long _sequence;
    private bool _disposed;

    /// <summary>Called (on the monitor's reader) after a subflow event, which may change a member's health; must return at once.</summary>
    public Action? SubflowChanged { get; init; }

    /// <summary>Sequence number of the newest event (0 before the first).</summary>
    public long LastSequence
    {
        get
        {
            lock (_lock)
            {
                return _sequence;
            }
        }
    }

    /// <summary>True while the monitor process runs.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_lock)
            {
                return _stream is { HasExited: false };
            }
        }
    }

    /// <summary>Starts the monitor unless it runs.</summary>
    public async Task EnsureRunningAsync(CancellationToken cancellationToken)
    {
        ICommandStream? exited = null;
        Task? oldReader = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_stream is { HasExited: false })
            {
                return;
            }

            exited = _stream;
            oldReader = _reader;
            _stop?.Cancel();
            _stop?.Dispose();
            _stop = new CancellationTokenSource();
            _stream = context.StartStream("ip", ["mptcp", "monitor"]);
            var stream = _stream;
            var token = _stop.Token;
            _reader = Task.Run(() => ReadAsync(stream, token), CancellationToken.None);
        }

        if (exited is not null)
        {
            LogRestarted(context.Description, exited.Error ?? "exited");
            await exited.DisposeAsync();
        }

        if (oldReader is not null)
        {
            await oldReader;
        }

        await Task.Delay(s_settle, timeProvider, cancellationToken);
    }

    /// <summary>Events after <paramref name="cursor"/>, oldest first; moves the cursor to the newest.</summary>
    public IReadOnlyList<MptcpEvent> Since(ref long cursor)
    {
        lock (_lock)
        {
            var list = new List<MptcpEvent>();
            foreach (var (sequence, monitorEvent) in _events)
            {
                if (sequence > cursor)
                {
                    list.Add(monitorEvent);
                }
            }

            cursor = _sequence;
            return list;
        }
    }

    /// <summary>The last subflow event whose local address is <paramref name="address"/>.</summary>
    public MptcpEvent? LastSubflowEvent(IPAddress address)
    {
        lock (_lock)
        {
            return _lastSubflowEvent.GetValueOrDefault(address);
        }
    }

    /// <summary>Records a line as if the monitor printed it (the reader's path; tests feed captured text through it).</summary>
    public void Accept(string line)
    {
        if (MptcpEvent.Parse(line, timeProvider.GetUtcNow()) is not { } monitorEvent)
        {
            return;
        }

        lock (_lock)
        {
            _sequence++;
            _events.AddLast((_sequence, monitorEvent));
            while (_events.Count > MaxEvents)
            {
                _events.RemoveFirst();
            }

            if (monitorEvent.IsSubflowEvent && monitorEvent.LocalAddress is { } local)
            {
                _lastSubflowEvent[local] = monitorEvent;
            }
        }

        if (monitorEvent.IsSubflowEvent)
        {
            SubflowChanged?.Invoke();
        }
    }

    /// <summary>
    /// Stops the monitor. Idempotent: the daemon's service provider disposes the MPTCP backend once per registration
    /// (as itself, as a backend and as an event source), and a second disposal must not touch the disposed token source.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        ICommandStream? stream;
        Task? reader;
        CancellationTokenSource? stop;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            stream = _stream;
            reader = _reader;
            _stream = null;
            _reader = null;
            stop = _stop;
            _stop = null;
            stop?.Cancel();
        }

        if (stream is not null)
        {
            await stream.DisposeAsync();
        }

        if (reader is not null)
        {
            await reader;
        }

        stop?.Dispose();
    }

    private async Task ReadAsync(ICommandStream stream, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var line in stream.ReadLinesAsync(cancellationToken))
            {
                Accept(line);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        catch (Exception ex)
        {
            LogReaderFailed(ex, context.Description);
        }
    }

    [LoggerMessage(EventId = 5310, Level = LogLevel.Warning, Message = "ip mptcp monitor ({Context}) stopped ({Reason}); restarting it")]
    private partial void LogRestarted(string context, string reason);

    [LoggerMessage(EventId = 5311, Level = LogLevel.Error, Message = "Reading ip mptcp monitor ({Context}) failed")]
    private partial void LogReaderFailed(Exception exception, string context);
}
