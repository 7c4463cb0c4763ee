using Fleet.Agent.Backends.Kernel;

namespace Fleet.Agent.Tests.Backends.Kernel;

public sealed class KernelContextTests
{
    [Fact]
    public async Task RunAsync_Host_RunsToolDirectly()
    {
        var runner = new RecordingCommandRunner();
        var context = KernelContext.Host(runner, runner);

        await context.RunAsync("ss", ["-HMtin"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("ss", runner.Calls[0].FileName);
        Assert.Equal(["-HMtin"], runner.Calls[0].Arguments);
    }

    [Fact]
    public async Task RunAsync_Namespace_EntersItWithIpOrTheToolsOwnOption()
    {
        var runner = new RecordingCommandRunner();
        var context = KernelContext.InNamespace("flx01", runner, runner);
        var token = TestContext.Current.CancellationToken;

        await context.RunAsync("ip", ["-j", "link", "show"], cancellationToken: token);
        await context.RunAsync("tc", ["qdisc", "show"], cancellationToken: token);
        await context.RunAsync("ping", ["-c", "1", "10.0.0.1"], cancellationToken: token);
        context.StartStream("ip", ["mptcp", "monitor"]);

        Assert.Equal(
            [
                "ip -n flx01 -j link show",
                "tc -n flx01 qdisc show",
                "ip netns exec flx01 ping -c 1 10.0.0.1",
                "ip -n flx01 mptcp monitor",
            ],
            runner.Calls.Select(c => $"{c.FileName} {string.Join(' ', c.Arguments)}"));
    }

    [Fact]
    public async Task ReadAndWriteFile_Namespace_UseCatAndTeeInsideIt()
    {
        var runner = new RecordingCommandRunner((file, args) => new Fleet.Agent.Processes.CommandResult(0, args[^1] == "/proc/sys/net/mptcp/enabled" ? "1\n" : "", ""));
        var context = KernelContext.InNamespace("flx01", runner, runner);
        var token = TestContext.Current.CancellationToken;

        var text = await context.ReadFileAsync("/proc/sys/net/mptcp/enabled", token);
        var write = await context.WriteFileAsync("/sys/class/net/bond0/bonding/primary", "\n", token);

        Assert.Equal("1\n", text);
        Assert.True(write.Succeeded);
        Assert.Equal(new[] { "netns", "exec", "flx01", "cat", "--", "/proc/sys/net/mptcp/enabled" }, runner.Calls[0].Arguments);
        Assert.Equal(new[] { "netns", "exec", "flx01", "tee", "--", "/sys/class/net/bond0/bonding/primary" }, runner.Calls[1].Arguments);
        Assert.Equal("\n", runner.Calls[1].Input);
    }

    [Fact]
    public async Task ReadFileAsync_NamespaceFileMissing_ReturnsNull()
    {
        var runner = new RecordingCommandRunner((_, _) => new Fleet.Agent.Processes.CommandResult(1, "", "cat: /proc/net/bonding/bond9: No such file or directory"));
        var context = KernelContext.InNamespace("flx01", runner, runner);

        Assert.Null(await context.ReadFileAsync("/proc/net/bonding/bond9", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReadFileAsync_Host_ReadsProcfsDirectlyWithoutAProcess()
    {
        var runner = new RecordingCommandRunner();
        var context = KernelContext.Host(runner, runner);
        var token = TestContext.Current.CancellationToken;

        var release = await context.ReadFileAsync("/proc/sys/kernel/osrelease", token);

        Assert.Equal(Environment.OSVersion.Version.Major.ToString(System.Globalization.CultureInfo.InvariantCulture), release!.Split('.')[0]);
        Assert.Null(await context.ReadFileAsync("/proc/net/bonding/no-such-bond", token));
        Assert.Empty(runner.Calls);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/proc/../etc/shadow")]
    [InlineData("relative/path")]
    public async Task ReadFileAsync_NotAKernelFile_Throws(string path)
    {
        var runner = new RecordingCommandRunner();
        var context = KernelContext.InNamespace("flx01", runner, runner);

        await Assert.ThrowsAsync<ArgumentException>(() => context.ReadFileAsync(path, TestContext.Current.CancellationToken));
        Assert.Empty(runner.Calls);
    }

    [Theory]
    [InlineData("flmp3fa9c1a", true)]
    [InlineData("ns-1.test_2", true)]
    [InlineData("", false)]
    [InlineData("..", false)]
    [InlineData("a/b", false)]
    [InlineData("a b", false)]
    [InlineData("-n", false)]
    public void IsValidNamespaceName_Names_AcceptsOnlySafeOnes(string name, bool valid)
    {
        Assert.Equal(valid, KernelContext.IsValidNamespaceName(name));
        if (!valid)
        {
            var runner = new RecordingCommandRunner();
            Assert.Throws<ArgumentException>(() => KernelContext.InNamespace(name, runner, runner));
        }
    }
}
