using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Daemon;

/// <summary>
/// systemd's service watchdog (<c>WatchdogSec=</c> in fleet-agent.service, systemd.service(5)): every half period it
/// sends <c>WATCHDOG=1</c>, but only while the agent's main loop makes progress. When an interval hangs (a backend
/// stuck in a netlink call, a deadlock) the pings stop and systemd kills the agent with SIGABRT and restarts it, which
/// a timer that pinged regardless would never let happen. Microsoft.Extensions.Hosting.Systemd owns the notify socket
/// (READY=1, STOPPING=1); the library does not ping the watchdog, this class does.
/// </summary>
/// <param name="notifier">The notify socket (enabled when systemd set <c>NOTIFY_SOCKET</c>).</param>
/// <param name="period">systemd's watchdog period (<see cref="PeriodFromEnvironment"/>); null: no watchdog.</param>
/// <param name="progress">The main loop's last progress as a <paramref name="time"/> timestamp.</param>
/// <param name="allowance">How old that progress may be and still count as alive.</param>
/// <param name="time">The clock.</param>
/// <param name="logger">Log.</param>
public sealed partial class SystemdWatchdog(
    ISystemdNotifier notifier,
    TimeSpan? period,
    Func<long> progress,
    TimeSpan allowance,
    TimeProvider time,
    ILogger<SystemdWatchdog> logger) : BackgroundService
{
    private static readonly ServiceState s_ping = new("WATCHDOG=1");
    private bool _stalled;
    private long _pings;

    /// <summary>Pings sent.</summary>
    public long Pings => Interlocked.Read(ref _pings);

    /// <summary>
    /// The watchdog period systemd asks for: <c>WATCHDOG_USEC</c>, when <c>WATCHDOG_PID</c> is unset or names this process
    /// (sd_watchdog_enabled(3)); null when there is none.
    /// </summary>
    public static TimeSpan? PeriodFromEnvironment(Func<string, string?> environment, int processId)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment("WATCHDOG_PID") is { Length: > 0 } pid
            && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var owner) || owner != processId))
        {
            return null;
        }

        return long.TryParse(environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }

    /// <summary>
    /// How long the main loop may go without progress: it marks progress once per sampling interval, so two intervals
    /// plus a second for a slow one.
    /// </summary>
    public static TimeSpan AllowanceFor(TimeSpan sampleInterval) => (2 * sampleInterval) + TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (period is not { } watchdog || !notifier.IsEnabled)
        {
            return;
        }

        LogEnabled(watchdog.TotalSeconds, allowance.TotalSeconds);
        using var timer = new PeriodicTimer(watchdog / 2, time);
        try
        {
            do
            {
                PingIfAlive();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void PingIfAlive()
    {
        var silent = time.GetElapsedTime(progress());
        if (silent > allowance)
        {
            if (!_stalled)
            {
                _stalled = true;
                LogStalled(silent.TotalSeconds);
            }

            return;
        }

        _stalled = false;
        notifier.Notify(s_ping);
        Interlocked.Increment(ref _pings);
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "systemd watchdog: every {PeriodSeconds} s, while the main loop made progress within {AllowanceSeconds} s")]
    private partial void LogEnabled(double periodSeconds, double allowanceSeconds);

    [LoggerMessage(EventId = 701, Level = LogLevel.Error, Message = "The main loop made no progress for {Seconds:0.0} s: no more watchdog pings, systemd will restart the agent")]
    private partial void LogStalled(double seconds);
}
