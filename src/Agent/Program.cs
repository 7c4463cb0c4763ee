using System.CommandLine;
using System.Reflection;
using Fleet.Agent.Cli;
using Fleet.Agent.Daemon;
using Fleet.Agent.Doctor;
using Fleet.Agent.Enrollment;
using Fleet.Agent.StandaloneStriper;
using Fleet.Agent.Simulation;
using Fleet.Agent.Status;

namespace Fleet.Agent;

/// <summary>The <c>fleet-agent</c> command line: each sub-command lives in its feature folder.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var parse = BuildRootCommand().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }

            await Console.Error.WriteLineAsync("Run 'fleet-agent --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = StopTimeout });
    }

    /// <summary>
    /// How long a command may take to finish after SIGTERM or SIGINT before System.CommandLine ends the process with
    /// 128 + the signal. Its default, 2 s, is shorter than the daemon needs to stop its monitors and engines on a busy
    /// host, and an exit code of 143 leaves a systemd unit failed; 25 s stays inside the unit's TimeoutStopSec (30 s).
    /// </summary>
    public static TimeSpan StopTimeout { get; } = TimeSpan.FromSeconds(25);

    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("Fleet agent: drives bonded links on this host and reports them to the Fleet control plane.")
        {
            EnrollCommand.Create(),
            RunCommand.Create(),
            StatusCommand.Create(),
            DoctorCommand.Create(),
            SimulateCommand.Create(),
            StandaloneStriperCommand.Create(),
        };
        return root;
    }

    /// <summary>The agent's version, as printed by --version and sent to the Api.</summary>
    public static string Version { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
