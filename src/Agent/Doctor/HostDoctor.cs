using Fleet.Contracts.Agents;
using Fleet.Contracts.Doctor;

namespace Fleet.Agent.Doctor;

/// <summary>
/// The doctor's model on the host: each local link's spec in force and the samples measured here become the same
/// <see cref="LinkEvidence"/> the Api builds from stored samples, judged by the same <see cref="LinkDoctor"/> rules.
/// </summary>
public static class HostDoctor
{
    /// <summary>
    /// Diagnoses each of <paramref name="links"/> from <paramref name="measurement"/>. The window is the one the samples
    /// cover (from the start of the earliest interval to the end of the latest); without samples, the measurement's.
    /// </summary>
    /// <param name="links">The links.</param>
    /// <param name="measurement">The samples.</param>
    /// <param name="speedTests">What speed tests measured (<c>--speed-test</c>): each member's capacity and interface speed join its evidence.</param>
    public static IReadOnlyList<Diagnosis> Diagnose(IReadOnlyList<LocalLink> links, LocalMeasurement measurement, IReadOnlyList<LinkSpeedTest>? speedTests = null) =>
        [.. links.Select(link => LinkDoctor.Diagnose(HostSpeedTests.WithMeasurements(Evidence(link, measurement), speedTests?.FirstOrDefault(t => t.Link == link))))];

    /// <summary>The evidence of <paramref name="link"/> in <paramref name="measurement"/>.</summary>
    public static LinkEvidence Evidence(LocalLink link, LocalMeasurement measurement)
    {
        var samples = measurement.Samples.Where(s => s.LinkId == link.LinkId).ToList();
        var (from, to) = Window(samples) ?? (measurement.From, measurement.To);
        var evidence = EvidenceFromSamples.Link(link.LinkId, link.Spec, samples, from, to);
        return EvidenceFromSamples.WithBond(evidence, measurement.Bonds.GetValueOrDefault(link.LinkId));
    }

    private static (DateTimeOffset From, DateTimeOffset To)? Window(List<MemberSample> samples) =>
        samples.Count == 0
            ? null
            : (samples.Min(s => s.Time - TimeSpan.FromMilliseconds(s.IntervalMs)), samples.Max(s => s.Time));
}
