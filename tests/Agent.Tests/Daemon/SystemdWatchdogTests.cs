using System.Collections.Concurrent;
using Fleet.Agent.Daemon;
using Fleet.Agent.Tests.Support;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Daemon;

/// <summary>
/// The watchdog pings only while the main loop makes progress (the real restart is systemd's job: docs/agent.md says how
/// that is verified).
/// </summary>
public sealed class SystemdWatchdogTests
{
    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_allowance = SystemdWatchdog.AllowanceFor(TimeSpan.FromSeconds(1));
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingNotifier _notifier = new();
    private long _progress;

    [Fact]
    public async Task MainLoopStalls_PingsStop_AndResumeWhenItMovesAgain()
    {
        _progress = _time.GetTimestamp();
        using var watchdog = new SystemdWatchdog(_notifier, s_period, () => Interlocked.Read(ref _progress), s_allowance, _time, NullLogger<SystemdWatchdog>.Instance);
        await watchdog.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => watchdog.Pings == 1, "the first ping at start");

        // The loop moves every second: a ping every half period (waited for, so that no two ticks coalesce).
        MoveTheLoopForFiveSeconds();
        await Eventually.TrueAsync(() => watchdog.Pings == 2, "a ping at 5 s", detail: () => $"{watchdog.Pings} pings");
        MoveTheLoopForFiveSeconds();
        await Eventually.TrueAsync(() => watchdog.Pings == 3, "a ping at 10 s", detail: () => $"{watchdog.Pings} pings");

        // The loop hangs: no ping at any later tick, however long the process stays alive.
        for (var tick = 0; tick < 6; tick++)
        {
            _time.Advance(s_period / 2);
        }

        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(3, watchdog.Pings);
        Assert.All(_notifier.States, state => Assert.Equal("WATCHDOG=1", state));

        // The loop moves again (a slow interval that did finish): pinging resumes.
        MoveTheLoopForFiveSeconds();
        await Eventually.TrueAsync(() => watchdog.Pings >= 4, "pinging resumed", detail: () => $"{watchdog.Pings} pings");
        await watchdog.StopAsync(TestContext.Current.CancellationToken);
    }

    private void MoveTheLoopForFiveSeconds()
    {
        for (var second = 0; second < 5; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Interlocked.Exchange(ref _progress, _time.GetTimestamp());
        }
    }

    [Fact]
    public async Task NoWatchdogRequested_NeverPings()
    {
        using var watchdog = new SystemdWatchdog(_notifier, period: null, () => _time.GetTimestamp(), s_allowance, _time, NullLogger<SystemdWatchdog>.Instance);
        await watchdog.StartAsync(TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromMinutes(1));
        await watchdog.StopAsync(TestContext.Current.CancellationToken);

        Assert.Empty(_notifier.States);
    }

    [Theory]
    [InlineData("30000000", null, 30.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("30000000", "1", null)]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("soon", null, null)]
    public void PeriodFromEnvironment_FollowsSdWatchdogEnabled(string? usec, string? pid, double? seconds)
    {
        var environment = new Dictionary<string, string?> { ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid };

        var period = SystemdWatchdog.PeriodFromEnvironment(name => environment.GetValueOrDefault(name), processId: 4242);

        Assert.Equal(seconds, period?.TotalSeconds);
    }

    private sealed class RecordingNotifier : ISystemdNotifier
    {
        public ConcurrentQueue<string> States { get; } = new();

        public bool IsEnabled => true;

        public void Notify(ServiceState state) => States.Enqueue(state.ToString());
    }
}
