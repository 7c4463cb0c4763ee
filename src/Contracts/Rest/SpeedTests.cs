using System.Text.Json.Serialization;
using Fleet.Contracts.Doctor;

namespace Fleet.Contracts.Rest;

/// <summary>Where a speed test started over REST or the dashboard is (docs/doctor.md, "Path speed test").</summary>
public enum SpeedTestState
{
    /// <summary>Ordered; the agent has not answered yet.</summary>
    Pending,

    /// <summary>The agent ran it and reported its result.</summary>
    Completed,

    /// <summary>The agent answered that it could not run (the result's error says why).</summary>
    Failed,

    /// <summary>No answer came within the time a test may take (the agent went away, or lost the order).</summary>
    TimedOut,
}

/// <summary>The body of <c>POST /api/v1/links/{id}/speed-tests</c>; every field optional.</summary>
public sealed record StartSpeedTestRequest
{
    /// <summary>The test's rate limit per path, Mbit/s (1 to 100000; default 100).</summary>
    public int? MaxMbitPerPath { get; init; }
}

/// <summary>One speed test of a link: who asked, when, and what it measured.</summary>
public sealed record SpeedTestDto
{
    /// <summary>The test (time-ordered by when it was asked for).</summary>
    public required Guid Id { get; init; }

    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>Where the test is.</summary>
    public required SpeedTestState State { get; init; }

    /// <summary>Who started it (<c>user:NAME</c>, <c>api_key:NAME</c>).</summary>
    public required string RequestedBy { get; init; }

    /// <summary>When it was asked for.</summary>
    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>When the agent answered, or when it was judged timed out; null while pending.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The rate limit per path, Mbit/s.</summary>
    public required int MaxMbitPerPath { get; init; }

    /// <summary>Why there is no measurement (failed, timed out); null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Error { get; init; }

    /// <summary>What the agent reported (completed or failed); null while pending and when timed out.</summary>
    public SpeedTestResult? Result { get; init; }

    /// <summary>Each member interface's link speed (bit/s) as the host reported it, where it reported one.</summary>
    public IReadOnlyDictionary<string, double>? InterfaceSpeeds { get; init; }

    /// <summary>
    /// A striper pair's end: the other direction, measured from the pair's other end once this end reported; null for a
    /// link that is not one end of a pair (docs/doctor.md, "Both directions").
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SpeedTestPeerDto? Peer { get; init; }
}

/// <summary>The direction from a pair's other end to this one, measured by the other end's agent in the same test.</summary>
public sealed record SpeedTestPeerDto
{
    /// <summary>The pair's other end (a link of another host).</summary>
    public required Guid LinkId { get; init; }

    /// <summary>
    /// Where this direction is: pending until this end has reported and while the other end runs it; then completed,
    /// failed (not ordered, or the other end could not run it; see <see cref="Error"/>) or timed out.
    /// </summary>
    public required SpeedTestState State { get; init; }

    /// <summary>Why there is no measurement of this direction; null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Error { get; init; }

    /// <summary>What the other end's agent reported: its paths' capacities towards this end.</summary>
    public SpeedTestResult? Result { get; init; }
}
