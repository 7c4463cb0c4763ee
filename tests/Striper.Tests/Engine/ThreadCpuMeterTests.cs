using System.Diagnostics;
using Fleet.Striper.Engine;

namespace Fleet.Striper.Tests.Engine;

/// <summary>The per-thread CPU share read from the kernel (real threads: a busy one and one that waits).</summary>
public sealed class ThreadCpuMeterTests
{
    // Long enough that the kernel's 10 ms ticks (the independent account) resolve a share to a few percent.
    private const double Window = 0.6;

    // USER_HZ: what /proc reports times in, 100 on Linux whatever the kernel's own tick rate.
    private const int ClockTicksPerSecond = 100;

    /// <summary>
    /// The share <paramref name="work"/> shows when run on a thread of its own for one window, and the share the
    /// kernel's other account of the same thread gives (<c>utime + stime</c> of <c>/proc/self/task/TID/stat</c>, in
    /// clock ticks), read at the window's two ends.
    /// </summary>
    private static (double Percent, double Expected) Measure(Action<CancellationToken> work)
    {
        var meter = new ThreadCpuMeter();
        using var attached = new ManualResetEventSlim();
        using var stop = new CancellationTokenSource();
        var thread = new Thread(() =>
        {
            meter.Attach();
            attached.Set();
            work(stop.Token);
        });
        thread.Start();
        attached.Wait(TestContext.Current.CancellationToken);
        var ticksBefore = StatTicks(meter.ThreadId);
        var clock = Stopwatch.StartNew();
        meter.Update(0, Window);
        while (clock.Elapsed.TotalSeconds < Window)
        {
            stop.Token.WaitHandle.WaitOne(10);
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        meter.Update(elapsed, Window);
        var ticksAfter = StatTicks(meter.ThreadId);
        stop.Cancel();
        thread.Join();
        return (meter.Percent ?? double.NaN, (ticksAfter - ticksBefore) / (double)ClockTicksPerSecond / elapsed * 100);
    }

    [Fact]
    public void BusyThread_ItsShareAsTheKernelAccountsIt()
    {
        var (percent, expected) = Measure(token =>
        {
            var spins = 0L;
            while (!token.IsCancellationRequested)
            {
                spins++;
            }

            GC.KeepAlive(spins);
        });

        // How much of a core a spinning thread gets depends on the machine's load (2 shared cores); whatever it got, the
        // meter reads it as the kernel's tick accounting does, within the ticks' resolution (2 ticks in the window).
        Assert.True(percent > 0, $"meter {percent:F1} %, kernel ticks {expected:F1} %");
        Assert.InRange(percent, expected - 10, expected + 10);
    }

    [Fact]
    public void WaitingThread_NearZero()
    {
        var (percent, _) = Measure(token => token.WaitHandle.WaitOne());

        Assert.InRange(percent, 0, 5);
    }

    [Fact]
    public void NotAttached_NoPercent()
    {
        var meter = new ThreadCpuMeter();

        meter.Update(0, Window);
        meter.Update(1, Window);

        Assert.Null(meter.Percent);
    }

    [Fact]
    public void RunNanoseconds_CurrentThread_GrowsWithWork()
    {
        var id = ThreadCpuMeter.CurrentThreadId();
        var before = ThreadCpuMeter.RunNanoseconds(id);
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < 50)
        {
        }

        Assert.True(ThreadCpuMeter.RunNanoseconds(id) > before, $"thread {id}: {before}");
        Assert.Null(ThreadCpuMeter.RunNanoseconds(int.MaxValue));
    }

    /// <summary>The thread's user and system time in clock ticks (proc(5), fields 14 and 15 of <c>stat</c>).</summary>
    private static long StatTicks(int threadId)
    {
        var text = File.ReadAllText($"/proc/self/task/{threadId}/stat");

        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
    }
}
