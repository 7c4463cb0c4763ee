using System.Text.RegularExpressions;
using Fleet.Deploy.Tests.Infrastructure;

namespace Fleet.Deploy.Tests.Docs;

/// <summary>
/// The package's man page (<c>deploy/debian/fleet-agent.8</c>) against the built agent's own <c>--help</c>: every command
/// has a synopsis entry, every option of a command is in its entry, and the page names no command the agent lacks.
/// </summary>
public sealed partial class ManPageTests
{
    private static readonly string s_page = Repository.Read("deploy", "debian", "fleet-agent.8");

    private static string AgentAssembly => Repository.PathOf("src", "Agent", "bin", Repository.Configuration, "net10.0", "fleet-agent.dll");

    [Fact]
    public async Task Synopsis_HasEveryCommandWithEveryOption()
    {
        var commands = await CommandsAsync([]);
        var synopsis = Synopsis();

        Assert.NotEmpty(commands);
        Assert.All(commands, command =>
        {
            Assert.True(synopsis.TryGetValue(command.Path, out var entry), $"the man page's SYNOPSIS has no entry for 'fleet-agent {command.Path}'");
            var missing = command.Options.Where(o => !entry!.Contains(Roff(o), StringComparison.Ordinal)).ToList();
            Assert.True(missing.Count == 0, $"'fleet-agent {command.Path}' in the man page lacks {string.Join(", ", missing)}");
        });
        var unknown = synopsis.Keys.Except(commands.Select(c => c.Path)).ToList();
        Assert.True(unknown.Count == 0, $"the man page names commands the agent does not have: {string.Join(", ", unknown)}");
    }

    /// <summary>The leaf commands under <paramref name="path"/> with their long options, read from <c>--help</c>.</summary>
    private static async Task<List<(string Path, List<string> Options)>> CommandsAsync(List<string> path)
    {
        var result = await ExternalProcess.RunAsync("dotnet", [AgentAssembly, .. path, "--help"], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.Describe($"fleet-agent {string.Join(' ', path)} --help"));
        var help = result.StandardOutput;
        var subcommands = Section(help, "Commands").Select(line => line.Split(' ', 2)[0]).ToList();
        if (subcommands.Count == 0)
        {
            var options = Section(help, "Options")
                .SelectMany(line => LongOption().Matches(line.Split("  ", 2)[0]).Select(m => m.Value))
                .Where(o => o is not ("--help" or "--version"))
                .ToList();
            return [(string.Join(' ', path), options)];
        }

        var leaves = new List<(string, List<string>)>();
        foreach (var subcommand in subcommands)
        {
            leaves.AddRange(await CommandsAsync([.. path, subcommand]));
        }

        return leaves;
    }

    /// <summary>The indented lines under a <c>Name:</c> heading of System.CommandLine's help, trimmed.</summary>
    private static IEnumerable<string> Section(string help, string name) =>
        help.Split('\n')
            .SkipWhile(line => line.TrimEnd() != name + ":")
            .Skip(1)
            .TakeWhile(line => line.StartsWith("  ", StringComparison.Ordinal))
            .Select(line => line.Trim());

    /// <summary>SYNOPSIS entries by command path: from <c>.B fleet-agent PATH</c> to the next <c>.br</c> or section.</summary>
    private static Dictionary<string, string> Synopsis()
    {
        var lines = s_page.Split('\n').SkipWhile(l => l != ".SH SYNOPSIS").Skip(1).TakeWhile(l => !l.StartsWith(".SH", StringComparison.Ordinal)).ToList();
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in lines)
        {
            var start = EntryStart().Match(line);
            if (start.Success)
            {
                current = start.Groups["path"].Value.Trim();
                entries[current] = "";
            }
            else if (line == ".br")
            {
                current = null;
            }
            else if (current is not null)
            {
                entries[current] += line + "\n";
            }
        }

        // The version line is an option of the root command, not a command.
        entries.Remove("");
        return entries;
    }

    private static string Roff(string option) => option.Replace("-", "\\-", StringComparison.Ordinal);

    [GeneratedRegex(@"--[a-z][a-z0-9-]*")]
    private static partial Regex LongOption();

    [GeneratedRegex(@"^\.B fleet-agent(?<path>( [a-z][a-z-]*)*)( |$)")]
    private static partial Regex EntryStart();
}
