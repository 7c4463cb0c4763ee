using System.Text.Json.Serialization;

namespace Fleet.Contracts.Doctor;

/// <summary>
/// The result of a path speed test of a striper link, in one direction: from the end that ran it to its peer
/// (docs/striper-protocol.md, "Speed test"; docs/doctor.md, "Path speed test").
/// </summary>
/// <param name="StartedAt">When the test began.</param>
/// <param name="Duration">How long it took, answers included.</param>
/// <param name="Direction">Always <c>to_peer</c>: the end that runs a test measures what it can send; the other direction is measured from the other end.</param>
/// <param name="Paths">One entry per member, in spec order.</param>
/// <param name="TogetherBitsPerSecond">What all measured paths delivered at the same time (0 when fewer than two were measured).</param>
/// <param name="Error">
/// Why the test could not run at all (no session, a test already running); null when it ran. Written as <c>null</c>
/// (Fleet's JSON options require every constructor parameter when reading).
/// </param>
public sealed record SpeedTestResult(
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    string Direction,
    IReadOnlyList<PathSpeedResult> Paths,
    double TogetherBitsPerSecond,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Error)
{
    /// <summary>The one direction a test measures.</summary>
    public const string ToPeer = "to_peer";

    /// <summary>
    /// What the test measured <paramref name="member"/> to carry: its capacity when its path was measured and full (a
    /// measurement, not a lower bound); null otherwise. The one rule for the doctor's evidence and the overview's
    /// aggregation column.
    /// </summary>
    public double? CapacityOf(string member) =>
        Paths.FirstOrDefault(p => p.Member == member) is { Measured: true, Saturated: true } path ? path.CapacityBitsPerSecond : null;
}

/// <summary>What one path carried in a speed test.</summary>
/// <param name="Member">The member's interface.</param>
/// <param name="Measured">False when the path could not be measured (<paramref name="Problem"/> says why); the numbers are then 0.</param>
/// <param name="Problem">Why the path was not measured (disabled, no peer address, no answer), or null (written as <c>null</c>).</param>
/// <param name="CapacityBitsPerSecond">
/// What the path delivered alone while offered more than it could take, test load and user data together, at the IP
/// layer (outer IP and UDP headers counted).
/// </param>
/// <param name="TogetherBitsPerSecond">What the path delivered while every path was loaded at once.</param>
/// <param name="OfferedBitsPerSecond">The highest rate the test sent on the path (its rate limit for this path).</param>
/// <param name="RttIdleMilliseconds">The path's smallest round-trip time the probes had seen before the test.</param>
/// <param name="RttLoadedMilliseconds">Median round-trip time of the test's answers while the path was full.</param>
/// <param name="LossPercent">Load lost while the path was offered 80 % of its capacity: loss not caused by the test itself.</param>
/// <param name="Saturated">
/// True when the path was full (it dropped load or queued it), so the capacity is a measurement; false when it took
/// everything the test sent without a queue (the rate limit, or what a busy host could send), so the capacity is a lower bound.
/// </param>
public sealed record PathSpeedResult(
    string Member,
    bool Measured,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Problem,
    double CapacityBitsPerSecond,
    double TogetherBitsPerSecond,
    double OfferedBitsPerSecond,
    double RttIdleMilliseconds,
    double RttLoadedMilliseconds,
    double LossPercent,
    bool Saturated);
