using System.Globalization;
using Fleet.Testing;

namespace Fleet.Agent.Tests.Backends.Kernel;

/// <summary>Checks the kernel-VM harness itself: the guest runs the Debian kernel, loads modules on demand, and netem delays.</summary>
[Trait(TestCategories.Name, TestCategories.KernelVm)]
[Trait(KernelVmGuest.TraitName, KernelVmGuest.TraitValue)]
public sealed class KernelVmNetemTests
{
    [KernelVmGuestFact]
    public async Task NetemDelay_InGuestKernel_DelaysPingsByTheConfiguredTime()
    {
        Privileged.Require("network namespaces and netem in the kernel VM");
        var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        Assert.True(File.Exists($"/boot/vmlinuz-{release}"), $"the guest runs kernel {release}, which is not one of the host's /boot kernels");

        await using var network = TestNetwork.Create("nt");
        var a = await network.AddNamespaceAsync("a");
        var b = await network.AddNamespaceAsync("b");
        await network.AddVethAsync(a, "v0", b, "v1");
        await network.AddAddressAsync(a, "v0", "10.60.0.1/24");
        await network.AddAddressAsync(b, "v1", "10.60.0.2/24");

        // tc loads sch_netem on demand: this also proves the guest's modprobe helper works.
        await network.InAsync(a, "tc", "qdisc", "add", "dev", "v0", "root", "netem", "delay", "100ms");
        var ping = await network.InAsync(a, "ping", "-n", "-q", "-c", "3", "-i", "0.3", "10.60.0.2");
        var summary = ping.StandardOutput.Split('\n').Single(l => l.StartsWith("rtt ", StringComparison.Ordinal));
        var average = double.Parse(summary.Split(" = ")[1].Split('/')[1], CultureInfo.InvariantCulture);
        Assert.InRange(average, 100, 1000);
    }
}
