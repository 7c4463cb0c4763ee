using System.Text.RegularExpressions;
using Fleet.Deploy.Tests.Infrastructure;

namespace Fleet.Deploy.Tests.Docs;

/// <summary>docs/operations.md points new users at files: those must exist, and the commands must match them.</summary>
public sealed partial class OperationsGuideTests
{
    private static readonly string s_guide = Repository.Read("docs/operations.md");

    [Fact]
    public void RepositoryPaths_InTheGuideExist()
    {
        var paths = RepositoryPath().Matches(s_guide).Select(m => m.Groups["path"].Value).Distinct().ToList();

        Assert.NotEmpty(paths);
        Assert.All(paths, p => Assert.True(File.Exists(Repository.PathOf(p)) || Directory.Exists(Repository.PathOf(p)), $"docs/operations.md names {p}, which does not exist"));
    }

    [Fact]
    public void ComposeServices_NamedInTheGuideExist()
    {
        var services = Compose.ComposeFile.Load().ServiceNames.ToHashSet(StringComparer.Ordinal);
        var named = ComposeCommand().Matches(s_guide)
            .SelectMany(m => m.Groups["services"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Concat(ComposeCommandInService().Matches(s_guide).Select(m => m.Groups["service"].Value))
            .ToList();

        Assert.NotEmpty(named);
        Assert.All(named, s => Assert.Contains(s, services));
    }

    [Fact]
    public void PackageName_InTheGuideIsTheOneTheBuildProduces()
    {
        Assert.Contains($"fleet-agent_{Repository.Version}_amd64.deb", s_guide, StringComparison.Ordinal);
        Assert.Contains($"fleet-api:{Repository.Version}", s_guide, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildDebOptions_AreAllInTheGuide()
    {
        // The script's usage line, e.g. "deploy/debian/build-deb.sh [--output DIR] [--version VERSION]".
        var usage = Repository.Read("deploy", "debian", "build-deb.sh").Split('\n').First(l => l.StartsWith("#   deploy/debian/build-deb.sh", StringComparison.Ordinal));
        var options = ScriptOption().Matches(usage).Select(m => m.Value).ToList();

        Assert.NotEmpty(options);
        Assert.All(options, o => Assert.True(s_guide.Contains($"`{o}", StringComparison.Ordinal), $"docs/operations.md does not describe build-deb.sh {o}"));
    }

    [GeneratedRegex(@"--[a-z][a-z-]*")]
    private static partial Regex ScriptOption();

    [GeneratedRegex(@"`(?<path>(deploy|docs|src)/[A-Za-z0-9._/-]+|docker-compose\.yml)`")]
    private static partial Regex RepositoryPath();

    // docker compose logs|stop|up -d SERVICE...: every word up to a pipe, a redirect or the end of the line.
    [GeneratedRegex(@"docker compose (?:logs|stop|up -d) (?<services>[a-z0-9-]+(?: [a-z0-9-]+)*)")]
    private static partial Regex ComposeCommand();

    // docker compose exec|run SERVICE COMMAND...: the first word only.
    [GeneratedRegex(@"docker compose (?:exec -T|exec|run --rm) (?<service>[a-z0-9-]+)")]
    private static partial Regex ComposeCommandInService();
}
