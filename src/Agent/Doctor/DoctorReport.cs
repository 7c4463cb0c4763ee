using System.Globalization;
using System.Text;
using System.Text.Json;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Doctor;

/// <summary>The text <c>fleet-agent doctor</c> prints: per link the verdict, the window, the ranked findings and the members' evidence.</summary>
public static class DoctorReport
{
    private static readonly CultureInfo s_culture = CultureInfo.InvariantCulture;

    /// <summary>
    /// A diagnosis for people; <paramref name="measurement"/> says where the numbers come from, <paramref name="speedTest"/>
    /// what a speed test measured (<c>--speed-test</c>).
    /// </summary>
    public static string Format(LocalLink link, Diagnosis diagnosis, LocalMeasurement measurement, LinkSpeedTest? speedTest = null)
    {
        var text = new StringBuilder();
        text.AppendLine(s_culture, $"{link.Spec.Name} ({Wire(link.Spec.Kind.ToString())}, {link.LinkId}): {Wire(diagnosis.Verdict.ToString())} — {diagnosis.Summary}");
        text.AppendLine(s_culture, $"  window    {Window(diagnosis, measurement)}");
        if (speedTest is not null)
        {
            SpeedTest(text, speedTest);
        }

        var rank = 0;
        foreach (var finding in diagnosis.Findings)
        {
            text.AppendLine(s_culture, $"  {++rank}. {Wire(finding.Severity.ToString())} {finding.Code}{(finding.Member is { } m ? $" ({m})" : "")}: {finding.Title}");
            text.AppendLine(s_culture, $"     observed    {finding.Observed}");
            text.AppendLine(s_culture, $"     why         {finding.Why}");
            text.AppendLine(s_culture, $"     suggestion  {finding.Suggestion}");
        }

        foreach (var member in diagnosis.Members)
        {
            text.AppendLine(s_culture, $"  member    {member.Member}: {Evidence(member)}");
        }

        return text.ToString();
    }

    private static void SpeedTest(StringBuilder text, LinkSpeedTest test)
    {
        if (test.NotMeasured is { } why || test.Result?.Result is not { } result)
        {
            text.AppendLine(s_culture, $"  speed     {test.NotMeasured ?? "not measured"}");
            return;
        }

        text.AppendLine(s_culture, $"  speed     to the peer, {result.Duration.TotalSeconds:0.0} s at most {LinkDoctor.Rate(result.Paths.Max(p => p.OfferedBitsPerSecond))} per path; all paths together {LinkDoctor.Rate(result.TogetherBitsPerSecond)} (the other direction: run it on the peer)");
        foreach (var path in result.Paths)
        {
            text.AppendLine(path.Measured
                ? $"  speed     {path.Member}: {(path.Saturated ? "" : "at least ")}{LinkDoctor.Rate(path.CapacityBitsPerSecond)} alone, {LinkDoctor.Rate(path.TogetherBitsPerSecond)} together, rtt {LinkDoctor.Number(path.RttIdleMilliseconds, "ms")} idle, {LinkDoctor.Number(path.RttLoadedMilliseconds, "ms")} loaded, loss {LinkDoctor.Number(path.LossPercent, "%")} at 80 % load"
                : $"  speed     {path.Member}: not measured ({path.Problem})");
        }
    }

    private static string Window(Diagnosis diagnosis, LocalMeasurement measurement)
    {
        if (!measurement.AgentRunning)
        {
            return "none: the agent is not running, so there are no counters to read";
        }

        var seconds = (diagnosis.To - diagnosis.From).TotalSeconds;
        return string.Create(s_culture,
            $"live measurement, {seconds:0.#} s of the agent's samples ({diagnosis.From:HH:mm:ss}–{diagnosis.To:HH:mm:ss} UTC); the agent keeps no longer window on the host (the Api's diagnosis covers up to 60 min)");
    }

    private static string Evidence(MemberEvidence m)
    {
        if (m.Samples == 0)
        {
            return "no samples";
        }

        var parts = new List<string>
        {
            $"{m.Samples} samples",
            string.Create(s_culture, $"down in {m.DownShare:P0}"),
            LinkDoctor.Rate(m.BitsPerSecond),
            $"peak {LinkDoctor.Rate(m.PeakTransmitBitsPerSecond)} out",
        };
        if (m.RttMs is { } rtt)
        {
            parts.Add($"rtt {LinkDoctor.Number(rtt, "ms")}");
        }

        if (m.LossPercent is { } loss)
        {
            parts.Add($"loss {LinkDoctor.Number(loss, "%")}");
        }

        if (m.LargeProbeLossPercent is { } large && m.SmallProbeLossPercent is { } small)
        {
            parts.Add($"mtu probes lost {LinkDoctor.Number(large, "%")} full-size, {LinkDoctor.Number(small, "%")} small");
        }

        if (m.CpuPercent is { } cpu)
        {
            parts.Add($"busiest striper thread {LinkDoctor.Number(cpu, "%")} of a core");
        }

        if (m.AdminState != MemberAdminState.Active)
        {
            parts.Add(Wire(m.AdminState.ToString()));
        }

        if (m.Tier is { } tier && tier != LinkTier.Primary)
        {
            parts.Add($"tier {Wire(tier.ToString())}");
        }

        return string.Join(", ", parts);
    }

    /// <summary>An enum's name as the JSON writes it (<c>no_demand</c>), so text and <c>--json</c> use the same words.</summary>
    private static string Wire(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
