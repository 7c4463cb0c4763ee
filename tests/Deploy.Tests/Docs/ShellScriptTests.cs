using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Docs;

/// <summary>Every shell script under deploy/ passes shellcheck (quoting, unset variables, POSIX sh in maintainer scripts).</summary>
public sealed class ShellScriptTests
{
    private static readonly string[] s_maintainerScripts = ["postinst", "prerm", "postrm"];

    public static TheoryData<string, string> Scripts()
    {
        var data = new TheoryData<string, string>();
        foreach (var script in Directory.EnumerateFiles(Repository.PathOf("deploy"), "*.sh", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Repository.Root, script), "bash");
        }

        foreach (var script in s_maintainerScripts)
        {
            data.Add($"deploy/debian/{script}", "sh");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_PassesShellcheck(string script, string shell)
    {
        Privileged.RequireTool("/usr/bin/shellcheck", "shellcheck");

        var result = await ExternalProcess.RunAsync("/usr/bin/shellcheck", ["--shell", shell, "--external-sources", script], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.Describe($"shellcheck {script}"));
    }
}
