using Fleet.Contracts.Doctor;

namespace Fleet.Contracts.Agents;

/// <summary>
/// The Api asks an agent to run a path speed test on one of its striper links (<see cref="IAgentClient.RunSpeedTest"/>,
/// docs/doctor.md, "Path speed test"). The agent answers with <see cref="IAgentHub.ReportSpeedTest"/>, a result or why
/// there is none, whatever happens.
/// </summary>
/// <param name="TestId">The test the Api stored as pending; the report names it.</param>
/// <param name="LinkId">The link.</param>
/// <param name="Link">The link's device name in its desired spec (<c>str0</c>), the name its engine runs under on the host.</param>
/// <param name="MaxRateBitsPerSecond">The test's rate limit per path.</param>
public sealed record SpeedTestOrder(Guid TestId, Guid LinkId, string Link, double MaxRateBitsPerSecond);

/// <summary>An agent's answer to a <see cref="SpeedTestOrder"/>.</summary>
/// <param name="TestId">The order's test.</param>
/// <param name="LinkId">The order's link.</param>
/// <param name="Result">
/// The test's result; when the test could not run (no such striper link, a test already running, no striper on a
/// simulated host) a result with no paths whose <see cref="SpeedTestResult.Error"/> says why.
/// </param>
/// <param name="InterfaceSpeeds">Each member interface's link speed (bit/s) as the host reports it, where it reports one.</param>
public sealed record SpeedTestReport(Guid TestId, Guid LinkId, SpeedTestResult Result, IReadOnlyDictionary<string, double> InterfaceSpeeds);
