using Microsoft.Extensions.Options;

namespace Fleet.Agent.Daemon;

/// <summary>
/// Settings of <c>fleet-agent run</c>, from <c>/etc/fleet-agent/agent.json</c> (section <c>Agent</c>), environment
/// variables (<c>FLEET_AGENT_Agent__SampleInterval</c>) and command-line options, later ones winning.
/// </summary>
public sealed class AgentOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Agent";

    /// <summary>Identity, queue and applied specs live here.</summary>
    public string DataDirectory { get; set; } = Cli.CommonOptions.DefaultDataDirectory;

    /// <summary>One sample per member per this interval.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bound of the on-disk batch queue in bytes.</summary>
    public long QueueMaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Batches in flight before acknowledgements arrive.</summary>
    public int MaxBatchesInFlight { get; set; } = 16;

    /// <summary>First reconnect delay.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often the inventory is checked for changes (sent again only when it changed); it is also checked after every
    /// apply or removal of a link.
    /// </summary>
    public TimeSpan InventoryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Talk to an <c>http://</c> control plane (the server <c>enroll</c> stored) in clear text; <c>--allow-insecure-http</c>
    /// sets it too (<see cref="Cli.InsecureHttp"/>).
    /// </summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>Drive an in-memory simulated host instead of the kernel (tests, demos).</summary>
    public bool SimulatedHost { get; set; }

    /// <summary>The simulated host's interfaces.</summary>
    public string[] SimulatedInterfaces { get; set; } = ["eth0", "eth1", "eth2", "eth3"];
}

/// <summary>Checks <see cref="AgentOptions"/> at start and reports every problem at once.</summary>
public sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("Agent:DataDirectory is required");
        }

        if (options.SampleInterval < TimeSpan.FromMilliseconds(100) || options.SampleInterval > TimeSpan.FromMinutes(5))
        {
            errors.Add($"Agent:SampleInterval must be between 100 ms and 5 min (is {options.SampleInterval})");
        }

        if (options.QueueMaxBytes < 1024 * 1024)
        {
            errors.Add($"Agent:QueueMaxBytes must be at least 1 MiB (is {options.QueueMaxBytes})");
        }

        if (options.MaxBatchesInFlight is < 1 or > 1024)
        {
            errors.Add($"Agent:MaxBatchesInFlight must be between 1 and 1024 (is {options.MaxBatchesInFlight})");
        }

        // A minimum above the maximum is harmless: every delay is capped at the maximum (ReconnectBackoff).
        if (options.ReconnectMinDelay < TimeSpan.FromMilliseconds(10))
        {
            errors.Add("Agent:ReconnectMinDelay must be at least 10 ms");
        }

        if (options.ReconnectMaxDelay < TimeSpan.FromMilliseconds(10) || options.ReconnectMaxDelay > TimeSpan.FromHours(1))
        {
            errors.Add("Agent:ReconnectMaxDelay must be between 10 ms and 1 h");
        }

        if (options.InventoryInterval < TimeSpan.FromSeconds(1) || options.InventoryInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"Agent:InventoryInterval must be between 1 s and 1 h (is {options.InventoryInterval})");
        }

        if (options.SimulatedHost)
        {
            if (options.SimulatedInterfaces is null || options.SimulatedInterfaces.Length == 0)
            {
                errors.Add("Agent:SimulatedInterfaces needs at least one interface");
            }
            else
            {
                foreach (var interfaceName in options.SimulatedInterfaces)
                {
                    if (Contracts.Links.Validation.InterfaceName.Check(interfaceName) is { } problem)
                    {
                        errors.Add($"Agent:SimulatedInterfaces: '{interfaceName}': {problem}");
                    }
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
