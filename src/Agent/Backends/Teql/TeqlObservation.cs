using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.Teql;

/// <summary>What <see cref="TeqlBackend"/> saw of a teql link.</summary>
/// <param name="Link">The observation every backend reports.</param>
/// <param name="DeviceUp">The teql device exists here and is up.</param>
/// <param name="Members">Per member, in spec order.</param>
public sealed record TeqlObservation(LinkObservation Link, bool DeviceUp, IReadOnlyList<TeqlMemberState> Members)
{
    /// <summary>The state of member <paramref name="name"/>.</summary>
    public TeqlMemberState Member(string name) => Members.First(m => m.Interface == name);
}

/// <summary>One teql member: probe evidence, whether it carries traffic, qdisc and interface counters.</summary>
public sealed record TeqlMemberState
{
    /// <summary>Interface name.</summary>
    public required string Interface { get; init; }

    /// <summary>Health from the probes.</summary>
    public required MemberHealth Health { get; init; }

    /// <summary>The member's root qdisc is the teql device, so it carries the link's traffic.</summary>
    public bool Carrying { get; init; }

    /// <summary>Failed probes in a row.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>Probes sent so far.</summary>
    public long Probes { get; init; }

    /// <summary>Last probe round trip in ms.</summary>
    public double? RttMs { get; init; }

    /// <summary>Jitter of the probe round trips in ms.</summary>
    public double? JitterMs { get; init; }

    /// <summary>Unanswered share of recent probes, in percent.</summary>
    public double? LossPercent { get; init; }

    /// <summary>Bytes the member's teql qdisc sent (its own queue; the master transmits on members directly).</summary>
    public ulong QdiscBytes { get; init; }

    /// <summary>Packets the member's teql qdisc dropped.</summary>
    public ulong QdiscDrops { get; init; }

    /// <summary>Interface counters.</summary>
    public MemberCounters Counters { get; init; }

    /// <summary>One line for operators.</summary>
    public required string Detail { get; init; }
}
