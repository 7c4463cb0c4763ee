using System.Globalization;
using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Teql;

/// <summary>The words an operator reads about a teql member (<see cref="MemberObservation.Detail"/>).</summary>
internal static class TeqlMemberDetail
{
    /// <summary>Interface state, probe evidence and whether the member carries traffic.</summary>
    public static string Describe(MemberSpec member, IpLink link, TeqlProbeSnapshot? probe, bool attached, TcQdisc? root)
    {
        var parts = new List<string>();
        if (!link.IsUp)
        {
            parts.Add("interface down");
        }
        else if (!link.HasCarrier)
        {
            parts.Add("no carrier");
        }

        parts.Add(probe is null ? $"not probed yet ({member.ProbeTarget})" : Probe(member, probe));
        parts.Add(attached ? $"carrying (qdisc sent {root!.Bytes} B, dropped {root.Drops})" : "not carrying");
        return string.Join(", ", parts);
    }

    /// <summary>What the probes through the member found.</summary>
    public static string Probe(MemberSpec member, TeqlProbeSnapshot probe)
    {
        if (probe.Probes == 0)
        {
            return $"not probed yet ({member.ProbeTarget})";
        }

        return probe.ConsecutiveFailures == 0
            ? $"probe to {member.ProbeTarget} answered in {probe.LastRttMs?.ToString("0.###", CultureInfo.InvariantCulture)} ms"
            : $"{probe.ConsecutiveFailures} probe(s) to {member.ProbeTarget} failed ({probe.LastError})";
    }
}
