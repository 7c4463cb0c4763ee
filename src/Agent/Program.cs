using System.CommandLine;
using System.Reflection;

namespace Fleet.Agent;

/// <summary>The <c>fleet-agent</c> command line: each sub-command lives in its feature folder.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => BuildRootCommand().Parse(args).InvokeAsync();

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("Fleet agent: drives bonded links on this host and reports them to the Fleet control plane.");
        root.Subcommands.Add(Striper.StriperCommand.Create());
        return root;
    }

    /// <summary>The agent's version, as printed by --version and sent to the Api.</summary>
    public static string Version { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
