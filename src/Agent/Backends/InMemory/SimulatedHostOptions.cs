using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.InMemory;

/// <summary>How a <see cref="SimulatedHost"/> behaves.</summary>
public sealed class SimulatedHostOptions
{
    /// <summary>Seed of every random choice (rates, RTTs, failures): equal seeds and equal observation times give equal counters.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Average member failures per member per hour (0: members fail only when a test says so).</summary>
    public double MemberFailuresPerHour { get; init; }

    /// <summary>Shortest outage of a failed member.</summary>
    public TimeSpan OutageMin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest outage of a failed member.</summary>
    public TimeSpan OutageMax { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>Lowest capacity of a member whose spec gives no rate, in bit/s.</summary>
    public long MinMemberRateBitsPerSecond { get; init; } = 10_000_000;

    /// <summary>Highest capacity of a member whose spec gives no rate, in bit/s.</summary>
    public long MaxMemberRateBitsPerSecond { get; init; } = 200_000_000;

    /// <summary>Link kinds this host cannot run, with the reason its "kernel" gives.</summary>
    public IReadOnlyDictionary<LinkKind, string> UnavailableKinds { get; init; } = new Dictionary<LinkKind, string>();

    /// <summary>The kernel release the simulated host reports.</summary>
    public string KernelVersion { get; init; } = "6.1.0-simulated";
}
