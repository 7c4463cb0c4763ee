namespace Fleet.Striper.SpeedTest;

/// <summary>How to run a path speed test (<see cref="Engine.StriperEngine.RunSpeedTestAsync"/>).</summary>
public sealed record SpeedTestRequest
{
    /// <summary>The default of <see cref="MaxRateBitsPerSecond"/>.</summary>
    public const double DefaultMaxRateBitsPerSecond = 100e6;

    /// <summary>
    /// The most the test sends on one path, its rate limit: the first step of each path offers this much for 200 ms,
    /// the rest at most 1.25 × what the path took. A path faster than this is reported as at least this fast
    /// (<see cref="Contracts.Doctor.PathSpeedResult.Saturated"/> false).
    /// </summary>
    public double MaxRateBitsPerSecond { get; init; } = DefaultMaxRateBitsPerSecond;

    /// <summary>Every error in the request (empty when it can run).</summary>
    public IReadOnlyList<string> Validate() =>
        MaxRateBitsPerSecond is >= 1e5 and <= 100e9 ? [] : ["maxRateBitsPerSecond must be 100 kbit/s to 100 Gbit/s"];
}
