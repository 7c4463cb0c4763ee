using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Debian;

/// <summary>Checks of deploy/debian that need no root: the unit's settings, the scripts' syntax, version agreement.</summary>
public sealed class PackagingFilesTests
{
    [Fact]
    public void Unit_RestartsOnFailureWithNetAdminAndStartsOnlyWhenEnrolled()
    {
        var settings = SystemdUnit.Settings();

        Assert.Equal(["on-failure"], settings["Restart"]);
        Assert.Contains("CAP_NET_ADMIN", Assert.Single(settings["AmbientCapabilities"]).Split(' '));
        Assert.Contains("CAP_NET_ADMIN", Assert.Single(settings["CapabilityBoundingSet"]).Split(' '));
        Assert.Equal(["fleet-agent"], settings["StateDirectory"]);
        Assert.Equal(["/var/lib/fleet-agent/identity.json"], settings["ConditionPathExists"]);
        Assert.Equal(["-/etc/fleet-agent/agent.env"], settings["EnvironmentFile"]);
        // The agent reads /etc/fleet-agent/agent.json itself: the unit names no data directory or configuration.
        Assert.Equal("/usr/bin/fleet-agent run $FLEET_AGENT_OPTS", Assert.Single(settings["ExecStart"]));
        Assert.Equal(["multi-user.target"], settings["WantedBy"]);
    }

    /// <summary>
    /// Issue 10: the agent runs modprobe (bonding max_bonds=0, sch_teql max_equalizers=N) but the unit dropped
    /// CAP_SYS_MODULE, so the first bond or teql on a fresh host failed; and it could write anywhere under
    /// /etc/systemd/system, where drop-ins can change any service.
    /// </summary>
    [Fact]
    public void Unit_MayLoadModulesAndWritesNothingUnderEtc()
    {
        var settings = SystemdUnit.Settings();

        Assert.Contains("CAP_SYS_MODULE", Assert.Single(settings["AmbientCapabilities"]).Split(' '));
        Assert.Contains("CAP_SYS_MODULE", Assert.Single(settings["CapabilityBoundingSet"]).Split(' '));
        Assert.Empty(settings["ProtectKernelModules"]);
        Assert.Equal(["full"], settings["ProtectSystem"]);
        Assert.DoesNotContain(settings["ReadWritePaths"].SelectMany(p => p.Split(' ')), p => p.TrimStart('-').StartsWith("/etc", StringComparison.Ordinal));
    }

    [Fact]
    public void Changelog_NewestEntryIsTheProductVersion()
    {
        var first = File.ReadLines(Repository.PathOf("deploy/debian/changelog")).First();

        Assert.StartsWith($"fleet-agent ({Repository.Version}) ", first, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postinst")]
    [InlineData("prerm")]
    [InlineData("postrm")]
    public async Task MaintainerScript_IsValidShAndNeverEnrollsOrStarts(string script)
    {
        var path = Repository.PathOf("deploy/debian", script);
        var syntax = await ExternalProcess.RunAsync("sh", ["-n", path], TimeSpan.FromSeconds(30));
        Assert.True(syntax.ExitCode == 0, syntax.Describe($"sh -n {script}"));

        var commands = File.ReadAllLines(path).Select(l => l.Trim())
            .Where(l => !l.StartsWith('#') && !l.StartsWith("echo ", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(commands, l => l.Contains("fleet-agent enroll", StringComparison.Ordinal));
        Assert.DoesNotContain(commands, l => l.Contains("invoke start", StringComparison.Ordinal) || l.Contains("invoke restart", StringComparison.Ordinal));
        Assert.DoesNotContain(commands, l => l.StartsWith("systemctl", StringComparison.Ordinal) && !l.Contains("daemon-reload", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BuildScript_RefusesAVersionWithoutChangelogEntry()
    {
        Privileged.RequireTool("/usr/bin/dpkg-parsechangelog", "dpkg-dev");

        var result = await ExternalProcess.RunAsync("bash",
            [Repository.PathOf("deploy/debian/build-deb.sh"), "--version", "999.0.0", "--output", Path.GetTempPath()], TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("add a changelog entry", result.StandardError, StringComparison.Ordinal);
    }
}
