using Fleet.Striper.Crypto;

namespace Fleet.Striper.Tests.Crypto;

public sealed class ReplayWindowTests
{
    [Fact]
    public void Depth_AtLeastRequested()
    {
        Assert.True(new ReplayWindow(8192).Depth >= 8192);
        Assert.True(new ReplayWindow(100).Depth >= 100);
    }

    [Fact]
    public void New_DeepWindow_NoBitmapUntilItsFirstCommit()
    {
        // The first calls compile the methods, which allocates on this thread too.
        var warm = new ReplayWindow(64);
        warm.Check(7);
        warm.Reset();
        warm.Commit(7);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var window = new ReplayWindow(16384);
        var made = GC.GetAllocatedBytesForCurrentThread() - before;
        var verdict = window.Check(7);
        window.Reset();
        var unused = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(window.Commit(7));
        var committed = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ReplayWindow.Verdict.Fresh, verdict);
        Assert.True(made < 256, $"{made} bytes for a window never committed to");
        Assert.Equal(made, unused);
        Assert.True(committed >= 16384 / 8, $"{committed} bytes: the bitmap is made at the first commit");
        Assert.Equal(ReplayWindow.Verdict.Replayed, window.Check(7));
    }

    [Fact]
    public void Commit_SameCounterTwice_SecondIsReplay()
    {
        var window = new ReplayWindow(1024);

        Assert.True(window.Commit(5));
        Assert.Equal(ReplayWindow.Verdict.Replayed, window.Check(5));
        Assert.False(window.Commit(5));
    }

    [Fact]
    public void Check_OutOfOrderWithinWindow_Fresh()
    {
        var window = new ReplayWindow(1024);
        window.Commit(1000);

        Assert.Equal(ReplayWindow.Verdict.Fresh, window.Check(999));
        Assert.Equal(ReplayWindow.Verdict.Fresh, window.Check(1));
        Assert.True(window.Commit(500));
        Assert.Equal(ReplayWindow.Verdict.Replayed, window.Check(500));
    }

    [Fact]
    public void Check_BelowWindow_TooOld()
    {
        var window = new ReplayWindow(1024);
        window.Commit(100_000);

        Assert.Equal(ReplayWindow.Verdict.TooOld, window.Check(100_000 - (ulong)window.Depth));
        Assert.Equal(ReplayWindow.Verdict.TooOld, window.Check(0));
    }

    [Fact]
    public void Commit_LargeJump_ForgetsOldBitsWithoutFalseReplays()
    {
        var window = new ReplayWindow(256);
        for (ulong i = 1; i <= 300; i++)
        {
            Assert.True(window.Commit(i));
        }

        // Jump far ahead: the bitmap is recycled; counters just below the new top are fresh, not "seen".
        Assert.True(window.Commit(1_000_000));
        for (ulong i = 1_000_000 - 200; i < 1_000_000; i++)
        {
            Assert.Equal(ReplayWindow.Verdict.Fresh, window.Check(i));
        }
    }

    [Fact]
    public void Commit_RandomOrder_EachCounterAcceptedExactlyOnce()
    {
        var window = new ReplayWindow(4096);
        var counters = Enumerable.Range(1, 4000).Select(i => (ulong)i).OrderBy(_ => Random.Shared.Next()).ToArray();

        foreach (var c in counters)
        {
            Assert.True(window.Commit(c));
        }

        foreach (var c in counters)
        {
            Assert.False(window.Commit(c));
        }
    }

    [Fact]
    public void Reset_ForgetsEverything()
    {
        var window = new ReplayWindow(64);
        window.Commit(7);

        window.Reset();

        Assert.Equal(ReplayWindow.Verdict.Fresh, window.Check(7));
    }
}
