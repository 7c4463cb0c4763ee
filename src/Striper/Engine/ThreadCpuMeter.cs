using System.Globalization;

namespace Fleet.Striper.Engine;

/// <summary>
/// The CPU time one thread spends, as a percentage of one core over the latest window: whether the link's sending or
/// receiving thread is what limits it (docs/striper-protocol.md, "Counters"; the doctor's <c>cpu_bound</c>). The
/// thread attaches itself; another thread (the control loop) reads its run time from
/// <c>/proc/self/task/TID/schedstat</c> (proc(5): the nanoseconds it ran on a CPU) about once a window.
/// </summary>
internal sealed class ThreadCpuMeter
{
    private int _threadId;
    private double _windowStartSeconds = double.NaN;
    private long _windowStartNanoseconds;
    private double _percent = double.NaN;

    /// <summary>The latest window's share of one core, percent (0–100); null until a window has passed since the thread attached.</summary>
    public double? Percent => Volatile.Read(ref _percent) is var percent && double.IsNaN(percent) ? null : percent;

    /// <summary>The kernel's id of the measured thread, 0 before one attached.</summary>
    public int ThreadId => Volatile.Read(ref _threadId);

    /// <summary>Measures the calling thread from now on.</summary>
    public void Attach() => Volatile.Write(ref _threadId, CurrentThreadId());

    /// <summary>
    /// At <paramref name="nowSeconds"/> (the engine's clock): once <paramref name="windowSeconds"/> have passed since the
    /// window began, sets <see cref="Percent"/> from them and begins the next. One caller at a time.
    /// </summary>
    public void Update(double nowSeconds, double windowSeconds)
    {
        var threadId = Volatile.Read(ref _threadId);
        if (threadId == 0 || (!double.IsNaN(_windowStartSeconds) && nowSeconds - _windowStartSeconds < windowSeconds))
        {
            return;
        }

        if (RunNanoseconds(threadId) is not { } ran)
        {
            // The thread ended (the engine stops): nothing more to measure.
            Volatile.Write(ref _percent, double.NaN);
            return;
        }

        if (!double.IsNaN(_windowStartSeconds))
        {
            var share = (ran - _windowStartNanoseconds) / ((nowSeconds - _windowStartSeconds) * 1e9);
            Volatile.Write(ref _percent, Math.Clamp(share * 100, 0, 100));
        }

        _windowStartSeconds = nowSeconds;
        _windowStartNanoseconds = ran;
    }

    /// <summary>The kernel's id of the calling thread (the <c>TID</c> of <c>/proc/thread-self</c>, a link to <c>PID/task/TID</c>).</summary>
    internal static int CurrentThreadId()
    {
        var target = new DirectoryInfo("/proc/thread-self").LinkTarget;
        return target is not null && int.TryParse(Path.GetFileName(target), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
    }

    /// <summary>Nanoseconds thread <paramref name="threadId"/> of this process has run on a CPU; null when it is gone.</summary>
    internal static long? RunNanoseconds(int threadId)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/self/task/{threadId}/schedstat");
        }
        catch (IOException)
        {
            return null;
        }

        var end = text.IndexOf(' ', StringComparison.Ordinal);
        return long.TryParse(end < 0 ? text : text[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var ran) ? ran : null;
    }
}
