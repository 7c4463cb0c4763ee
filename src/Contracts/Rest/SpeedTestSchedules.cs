using System.Text.Json.Serialization;

namespace Fleet.Contracts.Rest;

/// <summary>The body of <c>PUT /api/v1/links/{id}/speed-test-schedule</c> (docs/doctor.md, "Scheduled speed tests").</summary>
public sealed record SpeedTestScheduleRequest
{
    /// <summary>When the test starts each day, UTC, <c>HH:mm</c> (required).</summary>
    public string? DailyAtUtc { get; init; }

    /// <summary>The tests' rate limit per path, Mbit/s (1 to 100000; default 100).</summary>
    public int? MaxMbitPerPath { get; init; }
}

/// <summary>A link's daily speed test: when, at what rate limit, and how the last days went.</summary>
public sealed record SpeedTestScheduleDto
{
    /// <summary>The link.</summary>
    public required Guid LinkId { get; init; }

    /// <summary>When the test starts each day, UTC, <c>HH:mm</c>.</summary>
    public required string DailyAtUtc { get; init; }

    /// <summary>The tests' rate limit per path, Mbit/s.</summary>
    public required int MaxMbitPerPath { get; init; }

    /// <summary>Who set the schedule last (<c>user:NAME</c>, <c>api_key:NAME</c>).</summary>
    public required string UpdatedBy { get; init; }

    /// <summary>When the schedule was set last.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The day (UTC) of the last scheduled test that started; null before the first.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateOnly? LastStartedOn { get; init; }

    /// <summary>Why the last scheduled start was refused (the agent offline, a test pending); null when none was.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? LastRefusal { get; init; }

    /// <summary>When that start was refused.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public DateTimeOffset? LastRefusedAt { get; init; }
}
