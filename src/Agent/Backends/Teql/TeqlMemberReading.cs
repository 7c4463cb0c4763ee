using Fleet.Agent.Backends.Kernel;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Teql;

/// <summary>
/// One teql member as observed: the kernel's view of its interface and root qdisc joined with the probe evidence, and the
/// drift between whether it carries the link's traffic and whether it should (a disabled or dead member should not).
/// </summary>
internal static class TeqlMemberReading
{
    /// <summary>
    /// The state of <paramref name="member"/> of <paramref name="applied"/>; each way it differs from the spec is added to
    /// <paramref name="drift"/>. <paramref name="carrying"/> is the members that should carry traffic (null: no probes yet,
    /// every active member should).
    /// </summary>
    public static TeqlMemberState Read(
        LinkSpec applied,
        MemberSpec member,
        IReadOnlyDictionary<string, IpLink> links,
        IReadOnlyDictionary<string, TcQdisc> roots,
        TeqlProbeSnapshot? probe,
        IReadOnlyList<string>? carrying,
        List<string> drift)
    {
        var attached = roots.TryGetValue(member.Interface, out var root) && root.Kind == applied.Name;
        if (!links.TryGetValue(member.Interface, out var link))
        {
            drift.Add($"member {member.Interface} does not exist");
            return new TeqlMemberState { Interface = member.Interface, Health = MemberHealth.Down, Detail = "interface does not exist" };
        }

        var counters = link.Statistics?.ToMemberCounters() ?? default;
        if (member.AdminState == MemberAdminState.Disabled)
        {
            if (attached)
            {
                drift.Add($"{member.Interface} carries {applied.Name} traffic but is disabled");
            }

            return new TeqlMemberState { Interface = member.Interface, Health = MemberHealth.Down, Carrying = attached, Counters = counters, Detail = "disabled by the spec" };
        }

        var shouldCarry = carrying?.Contains(member.Interface) ?? true;
        if (shouldCarry != attached)
        {
            drift.Add(attached ? $"{member.Interface} carries {applied.Name} traffic but should not" : $"{member.Interface} does not carry {applied.Name} traffic");
        }

        var health = probe?.Health ?? MemberHealth.Unknown;
        if (!link.IsUp || !link.HasCarrier)
        {
            health = MemberHealth.Down;
        }

        return new TeqlMemberState
        {
            Interface = member.Interface,
            Health = health,
            Carrying = attached,
            ConsecutiveFailures = probe?.ConsecutiveFailures ?? 0,
            Probes = probe?.Probes ?? 0,
            RttMs = probe?.LastRttMs,
            JitterMs = probe?.JitterMs,
            LossPercent = probe?.LossPercent,
            QdiscBytes = attached ? root!.Bytes : 0,
            QdiscDrops = attached ? root!.Drops : 0,
            Counters = counters,
            Detail = TeqlMemberDetail.Describe(member, link, probe, attached, root),
        };
    }
}
