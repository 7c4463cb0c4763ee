using Fleet.Agent.Backends;
using Fleet.Agent.Backends.Bonding;
using Fleet.Agent.Backends.Kernel;
using Fleet.Agent.Processes;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Backends.Kernel;

public sealed class KernelFeaturesTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("fleet-kernel-tree-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void Bonding_ModuleInstalled_IsAvailable()
    {
        Tree("6.1.0-test", dep: "kernel/drivers/net/bonding/bonding.ko: kernel/net/tls/tls.ko\nkernel/net/sched/sch_teql.ko.xz:\n");
        var features = new KernelFeatures(_root.FullName);

        Assert.Equal("6.1.0-test", features.Release);
        Assert.True(features.Bonding().Available);
        Assert.True(features.Teql().Available);
        Assert.False(features.IsModuleLoaded("bonding"));
    }

    [Fact]
    public void BondingAndTeql_NoModules_AreUnavailableWithTheKernelRelease()
    {
        Tree("6.18.0-test", dep: "kernel/net/tls/tls.ko:\n");
        var features = new KernelFeatures(_root.FullName);

        Assert.Equal(BackendAvailability.No("bonding driver not available in kernel 6.18.0-test"), features.Bonding());
        Assert.Equal(BackendAvailability.No("teql (sch_teql) not available in kernel 6.18.0-test"), features.Teql());
        Assert.Equal(BackendAvailability.No("MPTCP not available in kernel 6.18.0-test (no net.mptcp sysctls)"), features.Mptcp());
    }

    /// <summary>
    /// Issue 10 (the guest suite failed once in six): /sys/module/NAME appears before the module's init ran, so a
    /// backend that checked while a parallel one loaded the module skipped modprobe and met a half-loaded module.
    /// </summary>
    [Theory]
    [InlineData("coming\n", false)]
    [InlineData("going\n", false)]
    [InlineData("live\n", true)]
    public void IsModuleLoaded_FollowsTheModulesInitState(string initstate, bool loaded)
    {
        Tree("6.9.0-test");
        Directory.CreateDirectory(Path.Combine(_root.FullName, "sys/module/bonding"));
        File.WriteAllText(Path.Combine(_root.FullName, "sys/module/bonding/initstate"), initstate);

        Assert.Equal(loaded, new KernelFeatures(_root.FullName).IsModuleLoaded("bonding"));
    }

    [Fact]
    public void Modules_BuiltInOrLoaded_AreAvailable()
    {
        Tree("6.9.0-test", builtin: "kernel/drivers/net/bonding/bonding.ko\n");
        Directory.CreateDirectory(Path.Combine(_root.FullName, "sys/module/sch_teql"));
        Directory.CreateDirectory(Path.Combine(_root.FullName, "proc/sys/net/mptcp"));
        File.WriteAllText(Path.Combine(_root.FullName, "proc/sys/net/mptcp/enabled"), "1\n");
        var features = new KernelFeatures(_root.FullName);

        Assert.True(features.Bonding().Available);
        Assert.True(features.IsModuleLoaded("sch_teql"));
        Assert.True(features.Teql().Available);
        Assert.True(features.Mptcp().Available);
    }

    [Fact]
    public async Task Features_RunningKernel_AgreesWithModprobe()
    {
        // The real kernel: whatever it is, our file-based answer must match modprobe's own (-n: dry run, -q: quiet).
        var features = new KernelFeatures();
        foreach (var (module, availability) in new[] { ("bonding", features.Bonding()), ("sch_teql", features.Teql()) })
        {
            var modprobe = await new CommandRunner().RunAsync("modprobe", ["-n", "-q", module], cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(
                availability.Available == modprobe.Succeeded || features.IsModuleLoaded(module),
                $"{module}: KernelFeatures says {availability}, modprobe -n says exit {modprobe.ExitCode}");
        }

        Assert.Equal(File.Exists("/proc/sys/net/mptcp/enabled"), features.Mptcp().Available);
    }

    [Fact]
    public async Task BondBackend_KernelWithoutBonding_FailsWithTheReasonAndRunsNothing()
    {
        Tree("6.18.0-test", dep: "");
        var runner = new RecordingCommandRunner();
        using var backend = new BondBackend(Fleet.Agent.Backends.Kernel.KernelContext.Host(runner, runner), new KernelFeatures(_root.FullName), TimeProvider.System, NullLogger<BondBackend>.Instance);
        var spec = new LinkSpec
        {
            Kind = LinkKind.Bond,
            Name = "bond0",
            Members = [new MemberSpec { Interface = "eth1" }],
            Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 },
        };

        var result = await backend.ApplyAsync(null, spec, TestContext.Current.CancellationToken);

        Assert.Equal(ApplyResult.Failed("bonding driver not available in kernel 6.18.0-test"), result);
        Assert.Empty(runner.Calls);
    }

    private void Tree(string release, string dep = "", string builtin = "")
    {
        Directory.CreateDirectory(Path.Combine(_root.FullName, "proc/sys/kernel"));
        File.WriteAllText(Path.Combine(_root.FullName, "proc/sys/kernel/osrelease"), release + "\n");
        var modules = Path.Combine(_root.FullName, "lib/modules", release);
        Directory.CreateDirectory(modules);
        File.WriteAllText(Path.Combine(modules, "modules.dep"), dep);
        File.WriteAllText(Path.Combine(modules, "modules.builtin"), builtin);
        Directory.CreateDirectory(Path.Combine(_root.FullName, "sys/module"));
    }
}
