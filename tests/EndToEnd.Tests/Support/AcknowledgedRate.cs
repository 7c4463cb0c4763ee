using Fleet.Agent.Simulation;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>The rate at which a simulated fleet's samples are acknowledged — stored — by the Api, measured over a window.</summary>
internal sealed class AcknowledgedRate(FleetSimulator simulator)
{
    /// <summary>Samples acknowledged per second during the next <paramref name="window"/>.</summary>
    public async Task<double> MeasureAsync(TimeSpan window)
    {
        var before = simulator.Stats().SamplesAcknowledged;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(window, TestContext.Current.CancellationToken);
        return (simulator.Stats().SamplesAcknowledged - before) / watch.Elapsed.TotalSeconds;
    }
}
