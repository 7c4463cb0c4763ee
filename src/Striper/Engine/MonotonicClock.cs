using System.Diagnostics;

namespace Fleet.Striper.Engine;

/// <summary>The engine's clock: <see cref="Stopwatch"/> ticks (CLOCK_MONOTONIC), with conversions.</summary>
internal static class MonotonicClock
{
    private static readonly double s_secondsPerTick = 1.0 / Stopwatch.Frequency;
    private static readonly long s_start = Stopwatch.GetTimestamp();

    public static long Now() => Stopwatch.GetTimestamp();

    public static double Seconds(long ticks) => (ticks - s_start) * s_secondsPerTick;

    public static double NowSeconds() => Seconds(Stopwatch.GetTimestamp());

    /// <summary>Microseconds since the process started (the wire's time base).</summary>
    public static ulong Micros(long ticks) => (ulong)((ticks - s_start) * (1_000_000.0 / Stopwatch.Frequency));

    public static long TicksFromSeconds(double seconds) => (long)(seconds * Stopwatch.Frequency);

    public static double TicksToMilliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public static long TicksToNanoseconds(long ticks) => (long)(ticks * (1e9 / Stopwatch.Frequency));
}
