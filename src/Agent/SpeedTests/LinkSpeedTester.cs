using Fleet.Agent.Backends.Striper;
using Fleet.Contracts.Doctor;
using Fleet.Striper.SpeedTest;

namespace Fleet.Agent.SpeedTests;

/// <summary>What a speed test of one link gave: the result, or why there is none.</summary>
/// <param name="Result">The striper's result; null when the test could not start.</param>
/// <param name="Error">Why it could not run, or why it ran without measuring; null when it measured.</param>
/// <param name="InterfaceSpeeds">Each member interface's link speed (bit/s) as this host reports it, where it reports one.</param>
public sealed record SpeedTestOutcome(SpeedTestResult? Result, string? Error, IReadOnlyDictionary<string, double> InterfaceSpeeds);

/// <summary>
/// Runs a path speed test on a link of this host, by the link's device name. Both doors reach it: the data directory's
/// inbox (<c>fleet-agent doctor --speed-test</c>, <see cref="SpeedTestInbox"/>) and the Api's order over the hub.
/// </summary>
public interface ILinkSpeedTester
{
    /// <summary>Tests <paramref name="link"/>; never throws for a test that cannot run (the outcome says why).</summary>
    Task<SpeedTestOutcome> RunAsync(string link, double maxRateBitsPerSecond, CancellationToken cancellationToken);
}

/// <summary>
/// The one implementation of "run a speed test here": validates the rate limit, asks the striper backend's engine of
/// that name (docs/striper-protocol.md, "Speed test"), and reads the members' interface speeds in the daemon's network
/// namespace, where the members are.
/// </summary>
public sealed class StriperSpeedTester(StriperBackend? striper) : ILinkSpeedTester
{
    private static readonly Dictionary<string, double> s_none = [];

    /// <inheritdoc />
    public async Task<SpeedTestOutcome> RunAsync(string link, double maxRateBitsPerSecond, CancellationToken cancellationToken)
    {
        var options = new SpeedTestRequest { MaxRateBitsPerSecond = maxRateBitsPerSecond };
        if (options.Validate() is { Count: > 0 } errors)
        {
            return new SpeedTestOutcome(null, string.Join("; ", errors), s_none);
        }

        if (striper is null)
        {
            return new SpeedTestOutcome(null, "this agent runs no striper (a simulated host)", s_none);
        }

        SpeedTestResult? result;
        try
        {
            result = await striper.RunSpeedTestAsync(link, options, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The edge of one test (docs/conventions.md, rule 12): the asker gets the reason, the daemon goes on.
            return new SpeedTestOutcome(null, $"the test failed: {ex.Message}", s_none);
        }

        if (result is null)
        {
            return new SpeedTestOutcome(null, $"no striper link '{link}' runs on this host", s_none);
        }

        var speeds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var path in result.Paths)
        {
            if (InterfaceSpeed.BitsPerSecond(path.Member) is { } speed)
            {
                speeds[path.Member] = speed;
            }
        }

        return new SpeedTestOutcome(result, result.Error, speeds);
    }
}
