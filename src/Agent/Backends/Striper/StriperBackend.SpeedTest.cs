using Fleet.Contracts.Doctor;
using Fleet.Striper.SpeedTest;

namespace Fleet.Agent.Backends.Striper;

public sealed partial class StriperBackend
{
    /// <summary>
    /// Runs a path speed test on the link <paramref name="linkName"/> towards its peer (docs/striper-protocol.md,
    /// "Speed test"); null when no engine of that name runs here.
    /// </summary>
    public async Task<SpeedTestResult?> RunSpeedTestAsync(string linkName, SpeedTestRequest request, CancellationToken cancellationToken)
    {
        var engine = await _engines.FindAsync(linkName, cancellationToken);
        return engine is null ? null : await engine.RunSpeedTestAsync(request, cancellationToken);
    }
}
