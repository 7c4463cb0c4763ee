using System.CommandLine;

namespace Fleet.Agent.Cli;

/// <summary>Options several commands share.</summary>
public static class CommonOptions
{
    /// <summary>The default data directory (package installs).</summary>
    public const string DefaultDataDirectory = "/var/lib/fleet-agent";

    /// <summary><c>--data-dir</c>.</summary>
    public static Option<string> DataDirectory() => new("--data-dir")
    {
        Description = "The agent's data directory (identity, batch queue, applied specs)",
        DefaultValueFactory = _ => DefaultDataDirectory,
    };
}
