using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Debian;

/// <summary>
/// Builds fleet-agent_&lt;version&gt;_amd64.deb with deploy/debian/build-deb.sh, checks it with lintian, installs it on this
/// machine, runs it, verifies the systemd unit, and removes and purges it again, checking nothing is left behind.
/// </summary>
public sealed class DebianPackageTests
{
    private const string Package = "fleet-agent";
    private const string Unit = "/lib/systemd/system/fleet-agent.service";
    private const string Identity = "/var/lib/fleet-agent/identity.json";
    private const string ConfFile = "/etc/fleet-agent/agent.json";
    private const string EnablementLink = "/etc/systemd/system/multi-user.target.wants/fleet-agent.service";
    private const string MaskLink = "/etc/systemd/system/fleet-agent.service";
    private static readonly TimeSpan s_quick = TimeSpan.FromSeconds(60);

    [Fact]
    [Trait(TestCategories.Name, TestCategories.Privileged)]
    public async Task Package_BuildsLintsInstallsRunsAndPurgesCleanly()
    {
        Privileged.Require("installs, runs and purges the fleet-agent Debian package on this machine (dpkg)");
        Privileged.RequireTool("/usr/bin/dpkg-deb", "dpkg-dev");
        Privileged.RequireTool("/usr/bin/lintian", "lintian");
        Privileged.RequireTool("/usr/bin/systemd-analyze", "systemd");
        Assert.False(await IsInstalledAsync(), $"{Package} is already installed on this machine; purge it (dpkg --purge {Package}) before running this test");

        var output = Directory.CreateTempSubdirectory("fleet-deb-");
        try
        {
            var deb = await BuildAsync(output.FullName);
            await LintAsync(deb);
            await InstallRunAndPurgeAsync(deb);
        }
        finally
        {
            if (await IsInstalledAsync())
            {
                await RunAsync("dpkg", "--purge", Package);
            }

            output.Delete(recursive: true);
        }
    }

    private static async Task<string> BuildAsync(string output)
    {
        var build = await ExternalProcess.RunAsync("bash", [Repository.PathOf("deploy/debian/build-deb.sh"), "--output", output], TimeSpan.FromMinutes(8));
        Assert.True(build.ExitCode == 0, build.Describe("build-deb.sh"));

        var deb = Path.Combine(output, $"fleet-agent_{Repository.Version}_amd64.deb");
        Assert.Equal(deb, build.StandardOutput.Trim().Split('\n')[^1]);
        Assert.True(File.Exists(deb), $"{deb} was not built");

        var fields = await RunAsync("dpkg-deb", "--field", deb, "Package", "Version", "Architecture", "Depends");
        Assert.Contains($"Package: {Package}", fields, StringComparison.Ordinal);
        Assert.Contains($"Version: {Repository.Version}", fields, StringComparison.Ordinal);
        Assert.Contains("Architecture: amd64", fields, StringComparison.Ordinal);

        var contents = await RunAsync("dpkg-deb", "--contents", deb);
        foreach (var path in new[] { "./usr/bin/fleet-agent", "." + Unit, "." + ConfFile, "./usr/share/doc/fleet-agent/copyright", "./usr/share/man/man8/fleet-agent.8.gz" })
        {
            Assert.Contains(" " + path + "\n", contents, StringComparison.Ordinal);
        }

        // State is created at run time (StateDirectory=), never shipped: a shipped identity would be shared by every host.
        Assert.DoesNotContain("./var/lib/", contents, StringComparison.Ordinal);
        Assert.Equal(ConfFile, (await RunAsync("dpkg-deb", "--info", deb, "conffiles")).Trim());
        return deb;
    }

    private static async Task LintAsync(string deb)
    {
        var lint = await ExternalProcess.RunAsync("lintian", ["--fail-on", "error", deb], TimeSpan.FromMinutes(3));
        var errors = lint.StandardOutput.Split('\n').Where(l => l.StartsWith("E:", StringComparison.Ordinal)).ToList();

        Assert.True(lint.ExitCode == 0 && errors.Count == 0, lint.Describe("lintian"));
    }

    private static async Task InstallRunAndPurgeAsync(string deb)
    {
        var install = await RunAsync("dpkg", "--install", deb);
        Assert.Contains("not enrolled yet", install, StringComparison.Ordinal);
        Assert.True(await IsInstalledAsync());
        var files = (await RunAsync("dpkg-query", "--listfiles", Package)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(File.Exists).ToList();
        Assert.Contains("/usr/bin/fleet-agent", files);

        var version = await RunAsync("/usr/bin/fleet-agent", "--version");
        Assert.StartsWith(Repository.Version, version.Trim(), StringComparison.Ordinal);

        var verify = await ExternalProcess.RunAsync("systemd-analyze", ["verify", Unit], s_quick);
        Assert.True(verify.ExitCode == 0 && !(verify.StandardOutput + verify.StandardError).Contains("fleet-agent", StringComparison.Ordinal),
            verify.Describe("systemd-analyze verify"));

        // Installing neither enrolls nor starts: there is no identity, and the unit's condition keeps it from starting
        // until `fleet-agent enroll` wrote one. The unit is enabled, so an enrolled host starts its agent at boot.
        Assert.False(File.Exists(Identity), "the package created an identity: it must never enroll by itself");
        var unenrolled = await ExternalProcess.RunAsync("systemd-analyze", ["condition", "--unit", "fleet-agent.service"], s_quick);
        Assert.True(unenrolled.ExitCode != 0, unenrolled.Describe("systemd-analyze condition before enrollment"));
        Assert.Contains("ConditionPathExists=/var/lib/fleet-agent/identity.json failed", unenrolled.StandardOutput + unenrolled.StandardError, StringComparison.Ordinal);
        Assert.Equal(Unit, new FileInfo(EnablementLink).LinkTarget);

        // What `fleet-agent enroll` leaves behind (the agent writes it; here it is a stand-in with the same mode).
        Directory.CreateDirectory(Path.GetDirectoryName(Identity)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(Identity, "{}", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(Identity, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var enrolled = await ExternalProcess.RunAsync("systemd-analyze", ["condition", "--unit", "fleet-agent.service"], s_quick);
        Assert.True(enrolled.ExitCode == 0, enrolled.Describe("systemd-analyze condition after enrollment"));

        // An upgrade (here: the same package again) keeps an administrator's configuration and the identity.
        await File.AppendAllTextAsync(ConfFile, "// an administrator's change\n", TestContext.Current.CancellationToken);
        await RunAsync("dpkg", "--install", deb);
        Assert.Contains("// an administrator's change", await File.ReadAllTextAsync(ConfFile, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.True(File.Exists(Identity));

        // remove: the program goes, configuration and state stay, and the unit is masked.
        await RunAsync("dpkg", "--remove", Package);
        Assert.False(File.Exists("/usr/bin/fleet-agent"));
        Assert.False(File.Exists(Unit));
        Assert.True(File.Exists(ConfFile));
        Assert.True(File.Exists(Identity));
        Assert.Equal("/dev/null", new FileInfo(MaskLink).LinkTarget);

        // purge: nothing of the package is left.
        await RunAsync("dpkg", "--purge", Package);
        Assert.False(await IsInstalledAsync());
        var leftovers = files
            .Concat(["/etc/fleet-agent", "/var/lib/fleet-agent", "/usr/share/doc/fleet-agent", EnablementLink, MaskLink])
            .Where(p => File.Exists(p) || Directory.Exists(p) || new FileInfo(p).LinkTarget is not null)
            .Concat(new[] { "/var/lib/systemd/deb-systemd-helper-enabled", "/var/lib/systemd/deb-systemd-helper-masked" }
                .Where(Directory.Exists)
                .SelectMany(d => Directory.EnumerateFileSystemEntries(d, "*fleet-agent*", SearchOption.AllDirectories)))
            .ToList();
        Assert.True(leftovers.Count == 0, "left behind after purge:\n" + string.Join('\n', leftovers));
    }

    private static async Task<bool> IsInstalledAsync()
    {
        var query = await ExternalProcess.RunAsync("dpkg-query", ["--show", "--showformat=${db:Status-Status}", Package], s_quick);
        return query.ExitCode == 0 && query.StandardOutput.Trim() is not ("not-installed" or "");
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        var result = await ExternalProcess.RunAsync(program, arguments, TimeSpan.FromMinutes(2),
            new Dictionary<string, string?> { ["DEBIAN_FRONTEND"] = "noninteractive" });
        Assert.True(result.ExitCode == 0, result.Describe($"{program} {string.Join(' ', arguments)}"));
        return result.StandardOutput;
    }
}
