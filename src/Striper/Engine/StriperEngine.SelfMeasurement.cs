namespace Fleet.Striper.Engine;

public sealed partial class StriperEngine
{
    /// <summary>How often a path's CPU shares are measured (the window of <see cref="ThreadCpuMeter.Percent"/>).</summary>
    private const double CpuWindowSeconds = 1;

    /// <summary>The sending thread's CPU time (docs/striper-protocol.md, "Counters"); never attached in an aggregator's workers.</summary>
    internal ThreadCpuMeter TransmitCpu { get; } = new();

    /// <summary>The receiving thread's CPU time.</summary>
    internal ThreadCpuMeter ReceiveCpu { get; } = new();

    /// <summary>Seconds between two rounds of MTU probes on a path (docs/striper-protocol.md, "MTU probes").</summary>
    internal double MtuProbeIntervalSeconds { get; private init; } = StriperEngineOptions.DefaultMtuProbeInterval.TotalSeconds;

    /// <summary>A speed test of this end is running: MTU probes pause, as the peer counts them into the test's step.</summary>
    internal bool SpeedTestRunning => Volatile.Read(ref _speedTest) is not null;

    /// <summary>The control loop's tick: the CPU shares of the data-path threads, once a window.</summary>
    internal void MeasureCpu(double nowSeconds)
    {
        TransmitCpu.Update(nowSeconds, CpuWindowSeconds);
        ReceiveCpu.Update(nowSeconds, CpuWindowSeconds);
    }
}
