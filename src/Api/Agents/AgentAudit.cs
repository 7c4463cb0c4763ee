using System.Collections.Concurrent;
using Fleet.Api.Audit;
using Fleet.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Agents;

/// <summary>
/// Records what the agent hub refused (a report naming another host's link, an unknown link or member) in the audit
/// log and the log. Its own database context: a refusal is recorded although nothing else is written.
/// <para>
/// Rate-limited per host and kind of report (issue 10: an agent resending a refused batch in a loop must not write an
/// audit row — and a log line — per attempt): the first refusal of a window of
/// <see cref="AgentHubOptions.RejectionAuditInterval"/> is written at once; the ones after it in the window are
/// counted, and when the window ends one row says how many there were (<see cref="RepeatedAction"/>).
/// </para>
/// </summary>
public sealed partial class AgentAudit(
    IDbContextFactory<FleetDbContext> contexts,
    IOptions<AgentHubOptions> options,
    TimeProvider time,
    ILogger<AgentAudit> logger) : BackgroundService
{
    /// <summary>Audit action of a refused agent report.</summary>
    public const string RejectedAction = "agent.report.rejected";

    /// <summary>Audit action of the refusals counted (not written one by one) in a window.</summary>
    public const string RepeatedAction = "agent.report.rejected.repeated";

    private readonly ConcurrentDictionary<(Guid Host, RejectedReport Kind), Window> _windows = new();

    /// <summary>Records a refusal of a report of <paramref name="kind"/> from <paramref name="hostId"/>.</summary>
    public async Task RejectedAsync(Guid hostId, RejectedReport kind, string what, string reason, object? detail, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var window = _windows.GetOrAdd((hostId, kind), _ => new Window());
        Window.Closed? previous;
        lock (window)
        {
            if (window.Start is { } start && now - start < options.Value.RejectionAuditInterval)
            {
                window.Repeated++;
                window.LastAt = now;
                window.LastReason = reason;
                return;
            }

            previous = window.Close();
            window.Start = now;
        }

        LogRejected(hostId, what, reason);
        await WriteAsync(hostId, RejectedAction, new { what, reason, detail }, cancellationToken);
        if (previous is { } repeated)
        {
            await WriteRepeatedAsync(hostId, kind, repeated, cancellationToken);
        }
    }

    /// <summary>Writes the counts of the windows that ended; the loop calls it every second, tests call it directly.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var ((hostId, kind), window) in _windows)
        {
            Window.Closed? ended;
            lock (window)
            {
                if (window.Start is not { } start || now - start < options.Value.RejectionAuditInterval)
                {
                    continue;
                }

                ended = window.Close();
            }

            // An idle window goes: a host refused once an hour keeps no memory here.
            _windows.TryRemove(new KeyValuePair<(Guid, RejectedReport), Window>((hostId, kind), window));
            if (ended is { } repeated)
            {
                await WriteRepeatedAsync(hostId, kind, repeated, cancellationToken);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await FlushAsync(stoppingToken);
        }
    }

    private async Task WriteRepeatedAsync(Guid hostId, RejectedReport kind, Window.Closed repeated, CancellationToken cancellationToken)
    {
        LogRepeated(hostId, repeated.Count, kind, repeated.LastReason);
        await WriteAsync(hostId, RepeatedAction, new { kind, count = repeated.Count, from = repeated.From, to = repeated.To, lastReason = repeated.LastReason }, cancellationToken);
    }

    private async Task WriteAsync(Guid hostId, string action, object after, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            new AuditLog(db, time).Record($"agent:{hostId}", action, "host", hostId, before: null, after: after);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or System.Data.Common.DbException)
        {
            LogAuditFailed(hostId, ex.Message);
        }
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "Agent of host {HostId}: {What} rejected: {Reason}")]
    private partial void LogRejected(Guid hostId, string what, string reason);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Error, Message = "Agent of host {HostId}: recording a rejection in the audit log failed: {Error}")]
    private partial void LogAuditFailed(Guid hostId, string error);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Warning, Message = "Agent of host {HostId}: {Count} more {Kind} reports rejected since the last one logged; the last reason: {Reason}")]
    private partial void LogRepeated(Guid hostId, int count, RejectedReport kind, string reason);

    private sealed class Window
    {
        public DateTimeOffset? Start { get; set; }

        public DateTimeOffset LastAt { get; set; }

        public int Repeated { get; set; }

        public string LastReason { get; set; } = "";

        /// <summary>Ends the window: what it counted (null when nothing), and no window is open any more.</summary>
        public Closed? Close()
        {
            Closed? closed = Repeated > 0 && Start is { } start ? new Closed(Repeated, start, LastAt, LastReason) : null;
            Start = null;
            Repeated = 0;
            return closed;
        }

        public readonly record struct Closed(int Count, DateTimeOffset From, DateTimeOffset To, string LastReason);
    }
}

/// <summary>Which kind of agent report was refused (one audit window per host and kind).</summary>
public enum RejectedReport
{
    /// <summary>A sample batch.</summary>
    Batch,

    /// <summary>A link state.</summary>
    State,

    /// <summary>A hello.</summary>
    Hello,

    /// <summary>A speed test's result.</summary>
    SpeedTest,
}
