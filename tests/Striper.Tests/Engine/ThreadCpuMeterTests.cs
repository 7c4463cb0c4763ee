using System.Diagnostics;
using Fleet.Striper.Engine;

namespace Fleet.Striper.Tests.Engine;

/// <summary>The per-thread CPU share read from the kernel (real threads: a busy one and one that waits).</summary>
public sealed class ThreadCpuMeterTests
{
    private const double Window = 0.3;

    /// <summary>The share <paramref name="work"/> shows when run on a thread of its own for one window.</summary>
    private static double Measure(Action<CancellationToken> work)
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
        var clock = Stopwatch.StartNew();
        meter.Update(0, Window);
        while (clock.Elapsed.TotalSeconds < Window)
        {
            stop.Token.WaitHandle.WaitOne(10);
        }

        meter.Update(clock.Elapsed.TotalSeconds, Window);
        stop.Cancel();
        thread.Join();
        return meter.Percent ?? double.NaN;
    }

    [Fact]
    public void BusyThread_NearOneCore()
    {
        var percent = Measure(token =>
        {
            var spins = 0L;
            while (!token.IsCancellationRequested)
            {
                spins++;
            }

            GC.KeepAlive(spins);
        });

        // The machine is shared (2 cores): a busy thread gets most of one, not necessarily all.
        Assert.InRange(percent, 50, 100);
    }

    [Fact]
    public void WaitingThread_NearZero()
    {
        var percent = Measure(token => token.WaitHandle.WaitOne());

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
}
