using System.Text.Json;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Json;

namespace Fleet.Agent.Tests.Doctor;

/// <summary>
/// What one fault scenario of the doctor's test bed came to, written to the test's output as one line
/// <c>doctor-scenario {json}</c> before the test asserts anything, so <c>bench/doctor.sh</c> scores a wrong diagnosis
/// as wrong instead of losing it with the failed test.
/// </summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Expected">The finding code expected on top (<c>healthy</c>: no warning or critical finding).</param>
/// <param name="Actual">The top finding's code; <c>healthy</c> when the verdict is healthy.</param>
/// <param name="SecondsToDiagnosis">From the fault induced (or the traffic that shows it started) to the doctor's answer.</param>
/// <param name="Paths">Per path, what a speed test measured against the tbf rate (the speed-test scenario only).</param>
internal sealed record ScenarioOutcome(string Scenario, string Expected, string? Actual, double SecondsToDiagnosis, IReadOnlyList<PathAccuracy>? Paths = null)
{
    public const string Prefix = "doctor-scenario ";

    public bool Right => Expected == Actual;

    /// <summary>The outcome of <paramref name="diagnosis"/>, timed from <paramref name="since"/>.</summary>
    public static ScenarioOutcome Of(string scenario, string expected, Diagnosis diagnosis, TimeSpan since, IReadOnlyList<PathAccuracy>? paths = null) =>
        new(scenario, expected, diagnosis.Verdict == DoctorVerdict.Healthy ? "healthy" : diagnosis.Findings.Count == 0 ? null : diagnosis.Findings[0].Code, Math.Round(since.TotalSeconds, 2), paths);

    /// <summary>Writes the line to <paramref name="log"/>.</summary>
    public void WriteTo(ITestOutputHelper log) => log.WriteLine(Prefix + JsonSerializer.Serialize(this, FleetJson.Options));
}

/// <summary>A speed test's measurement of one path against the rate tbf shapes it to.</summary>
/// <param name="Member">The path's member.</param>
/// <param name="MeasuredMbit">What the speed test measured (Mbit/s); null when it did not.</param>
/// <param name="TbfMbit">The tbf rate.</param>
internal sealed record PathAccuracy(string Member, double? MeasuredMbit, double TbfMbit)
{
    /// <summary>The error against the tbf rate, in percent.</summary>
    public double? ErrorPercent => MeasuredMbit is { } m ? Math.Round(100 * (m - TbfMbit) / TbfMbit, 1) : null;
}
