using Fleet.Agent.Hub;

namespace Fleet.Agent.Simulation;

/// <summary>What a <see cref="FleetSimulator"/> simulates.</summary>
public sealed class FleetSimulatorOptions
{
    /// <summary>The Api's base URL.</summary>
    public required Uri Server { get; init; }

    /// <summary>Talk to an <c>http://</c> <see cref="Server"/> in clear text (<see cref="Cli.InsecureHttp"/>): say so explicitly.</summary>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>How many hosts.</summary>
    public int Agents { get; init; } = 1;

    /// <summary>Interfaces per host (<c>eth0</c> … ), the members its links can use.</summary>
    public int Members { get; init; } = 4;

    /// <summary>Sampling interval.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Host names are <c>{prefix}-{index:000}</c>.</summary>
    public string NamePrefix { get; init; } = "sim";

    /// <summary>Seed of the hosts' traffic.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Average failures per member per hour.</summary>
    public double MemberFailuresPerHour { get; init; } = 2;

    /// <summary>When set, enrolled identities are kept in this file (mode 0600) and reused on the next run.</summary>
    public string? IdentityFile { get; init; }

    /// <summary>Enrollments in parallel.</summary>
    public int EnrollConcurrency { get; init; } = 8;

    /// <summary>Hub connection settings for every agent.</summary>
    public HubClientOptions Hub { get; init; } = new() { ReconnectMinDelay = TimeSpan.FromMilliseconds(500), ReconnectMaxDelay = TimeSpan.FromSeconds(15) };
}
