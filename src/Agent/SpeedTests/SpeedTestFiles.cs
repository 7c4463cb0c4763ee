using System.Text.Json.Serialization;
using Fleet.Contracts.Doctor;

namespace Fleet.Agent.SpeedTests;

/// <summary>A speed test asked of the daemon through its data directory (<c>fleet-agent doctor --speed-test</c>).</summary>
/// <param name="TestId">Names the result file.</param>
/// <param name="Link">The link's device name.</param>
/// <param name="MaxRateBitsPerSecond">The test's rate limit per path.</param>
public sealed record SpeedTestFileRequest(Guid TestId, string Link, double MaxRateBitsPerSecond);

/// <summary>What the daemon answered: the result, or why there is none.</summary>
/// <param name="TestId">The request's id.</param>
/// <param name="Link">The link's device name.</param>
/// <param name="Result">The test's result; null when it could not run.</param>
/// <param name="Error">Why it could not run, or why it ran without measuring.</param>
/// <param name="InterfaceSpeeds">Each member interface's link speed (bit/s) as the daemon's host reports it, where it reports one.</param>
public sealed record SpeedTestFileResult(
    Guid TestId,
    string Link,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] SpeedTestResult? Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Error,
    IReadOnlyDictionary<string, double> InterfaceSpeeds);

/// <summary>
/// Where requests and results live: the data directory is root's (mode 0700), so whoever may write a request there may
/// run the daemon's links anyway. Requests in <c>speed-tests/requests/ID.json</c>, results in <c>speed-tests/ID.json</c>.
/// </summary>
public static class SpeedTestFiles
{
    /// <summary>
    /// How long <c>doctor --speed-test</c> waits for an answer; an answer older than twice this has nobody to read it
    /// (the command was killed or gave up) and the daemon removes it.
    /// </summary>
    public static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(60);

    /// <summary>The directory the daemon writes answers to.</summary>
    public static string Answers(string dataDirectory) => Path.Combine(dataDirectory, "speed-tests");

    /// <summary>The directory the daemon reads requests from.</summary>
    public static string Requests(string dataDirectory) => Path.Combine(dataDirectory, "speed-tests", "requests");

    /// <summary>A request's file.</summary>
    public static string Request(string dataDirectory, Guid testId) => Path.Combine(Requests(dataDirectory), $"{testId:N}.json");

    /// <summary>A result's file.</summary>
    public static string Result(string dataDirectory, Guid testId) => Path.Combine(Answers(dataDirectory), $"{testId:N}.json");
}
