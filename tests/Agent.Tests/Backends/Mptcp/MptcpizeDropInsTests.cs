using System.Diagnostics;
using Fleet.Agent.Backends.Mptcp;
using Fleet.Agent.Tests.Backends.Kernel;
using Fleet.Testing;

namespace Fleet.Agent.Tests.Backends.Mptcp;

public sealed class MptcpizeDropInsTests : IDisposable
{
    private readonly DirectoryInfo _units = Directory.CreateTempSubdirectory("fleet-units-");

    public void Dispose() => _units.Delete(recursive: true);

    [Fact]
    public async Task ApplyAsync_NewServices_WritesDropInsReloadsAndRestarts()
    {
        var runner = new RecordingCommandRunner();
        var dropIns = new MptcpizeDropIns(runner, _units.FullName, "/usr/lib/x86_64-linux-gnu/mptcpize/libmptcpwrap.so.0", systemdRunning: true);
        var token = TestContext.Current.CancellationToken;

        Assert.Null(await dropIns.ApplyAsync("mp0", ["nginx.service", "sshd.service"], [], token));

        var path = Path.Combine(_units.FullName, "nginx.service.d", MptcpizeDropIns.FileName);
        var text = await File.ReadAllTextAsync(path, token);
        Assert.Contains("[Service]\nEnvironment=LD_PRELOAD=/usr/lib/x86_64-linux-gnu/mptcpize/libmptcpwrap.so.0\n", text, StringComparison.Ordinal);
        Assert.Contains("MPTCP link mp0", text, StringComparison.Ordinal);
        Assert.Equal(
            [("systemctl", "daemon-reload"), ("systemctl", "try-restart nginx.service sshd.service")],
            runner.Calls.Select(c => (c.FileName, string.Join(' ', c.Arguments))));

        runner.Calls.Clear();
        Assert.Null(await dropIns.ApplyAsync("mp0", ["nginx.service", "sshd.service"], ["nginx.service", "sshd.service"], token));
        Assert.Empty(runner.Calls);

        Assert.Null(await dropIns.ApplyAsync("mp0", ["sshd.service"], ["nginx.service", "sshd.service"], token));
        Assert.False(Directory.Exists(Path.Combine(_units.FullName, "nginx.service.d")));
        Assert.Equal("try-restart nginx.service", string.Join(' ', runner.Calls[^1].Arguments));

        Assert.Null(await dropIns.RemoveAsync(["sshd.service"], token));
        Assert.Empty(_units.EnumerateFileSystemInfos());
    }

    [Fact]
    public async Task ApplyAsync_OtherFilesInTheDropInDirectory_AreKept()
    {
        var runner = new RecordingCommandRunner();
        var dropIns = new MptcpizeDropIns(runner, _units.FullName, "/lib/wrap.so", systemdRunning: false);
        var token = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(Path.Combine(_units.FullName, "web.service.d"));
        await File.WriteAllTextAsync(Path.Combine(_units.FullName, "web.service.d", "10-local.conf"), "[Service]\n", token);

        Assert.Null(await dropIns.ApplyAsync("mp0", ["web.service"], [], token));
        Assert.Null(await dropIns.RemoveAsync(["web.service"], token));

        Assert.Equal(["10-local.conf"], Directory.GetFiles(Path.Combine(_units.FullName, "web.service.d")).Select(Path.GetFileName));
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task ApplyAsync_MptcpizeMissing_FailsAndWritesNothing()
    {
        var dropIns = new MptcpizeDropIns(new RecordingCommandRunner(), _units.FullName, library: null, systemdRunning: true);

        var error = await dropIns.ApplyAsync("mp0", ["nginx.service"], [], TestContext.Current.CancellationToken);

        Assert.Equal("mptcpize is not installed (its wrapper library libmptcpwrap.so.0 was not found): install the mptcpize package", error);
        Assert.Empty(_units.EnumerateFileSystemInfos());
    }

    [Fact]
    [Trait(TestCategories.Name, TestCategories.Privileged)]
    public async Task DropIn_EnvironmentItSets_OpensTheServicesSocketsAsMptcp()
    {
        Privileged.Require("a network namespace");
        Privileged.RequireTool("/usr/bin/iperf3", "iperf3");
        var library = MptcpizeDropIns.FindLibrary();
        Assert.True(library is not null, "mptcpize's wrapper library is installed with the mptcpize package");
        var token = TestContext.Current.CancellationToken;
        var dropIns = new MptcpizeDropIns(new RecordingCommandRunner(), _units.FullName, library, systemdRunning: false);
        Assert.Null(await dropIns.ApplyAsync("mp0", ["iperf3.service"], [], token));

        // What systemd would do with the drop-in: start the service with its Environment= line.
        var environment = (await File.ReadAllLinesAsync(dropIns.PathOf("iperf3.service"), token))
            .Single(l => l.StartsWith("Environment=", StringComparison.Ordinal))["Environment=".Length..];
        await using var network = TestNetwork.Create("mz");
        var ns = await network.AddNamespaceAsync("a");
        var plain = network.Runner.RunAsync("ip", ["netns", "exec", ns, "iperf3", "-s", "-1", "-p", "5202"], TimeSpan.FromSeconds(30), cancellationToken: token);
        var server = network.Runner.RunAsync("ip", ["netns", "exec", ns, "env", environment, "iperf3", "-s", "-1", "-p", "5201"], TimeSpan.FromSeconds(30), cancellationToken: token);

        var clock = Stopwatch.StartNew();
        string tcp;
        do
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the iperf3 servers did not start listening");
            await Task.Delay(100, token);
            tcp = (await network.InAsync(ns, "ss", "-Htln")).StandardOutput;
        }
        while (!tcp.Contains(":5201", StringComparison.Ordinal) || !tcp.Contains(":5202", StringComparison.Ordinal));

        // ss -M lists MPTCP sockets only: the server started with the drop-in's environment is one, the plain one is not.
        var mptcp = (await network.InAsync(ns, "ss", "-HMln")).StandardOutput;
        Assert.Contains(":5201", mptcp, StringComparison.Ordinal);
        Assert.DoesNotContain(":5202", mptcp, StringComparison.Ordinal);

        await network.InAsync(ns, "mptcpize", "run", "iperf3", "-c", "127.0.0.1", "-p", "5201", "-t", "1");
        await network.InAsync(ns, "iperf3", "-c", "127.0.0.1", "-p", "5202", "-t", "1");
        Assert.True((await plain).Succeeded);
        Assert.True((await server).Succeeded);
    }
}
