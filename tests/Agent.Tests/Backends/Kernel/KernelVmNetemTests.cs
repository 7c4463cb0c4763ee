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
        Assert.True(File.Exists($"/boot/vmlinuz-{release}"), $"the guest runs kernel {release}, which is not one of the host's /boot kernels ({string.Join(", ", Directory.GetFiles("/boot", "vmlinuz-*"))})");
        Assert.True(Directory.Exists($"/lib/modules/{release}"), $"the guest's kernel {release} has no /lib/modules/{release}");

        await using var network = TestNetwork.Create("nt");
        var a = await network.AddNamespaceAsync("a");
        var b = await network.AddNamespaceAsync("b");
        await network.AddVethAsync(a, "v0", b, "v1");
        await network.AddAddressAsync(a, "v0", "10.60.0.1/24");
        await network.AddAddressAsync(b, "v1", "10.60.0.2/24");

        // Without netem the path is fast; tc loads sch_netem on demand (this also proves the guest's modprobe helper
        // works); with it every echo waits 100 ms on the way out.
        var plain = await PingRttAsync(network, a, count: 5);
        Assert.True(plain.Min < 100, $"without netem the round trip is below 100 ms (min {plain.Min} ms): {plain.Output}");
        await network.InAsync(a, "tc", "qdisc", "add", "dev", "v0", "root", "netem", "delay", "100ms");
        var delayed = await PingRttAsync(network, a, count: 3);
        var qdisc = (await network.InAsync(a, "tc", "qdisc", "show", "dev", "v0")).StandardOutput.Trim();
        // The lower bound is the proof; the upper one only rules out something else (a stall far beyond the delay).
        Assert.True(delayed.Min >= 100 && delayed.Min < 1000, $"with netem delay 100ms every round trip takes 100 ms or more (min {delayed.Min} ms, qdisc {qdisc}): {delayed.Output}");
    }

    private static async Task<(double Min, string Output)> PingRttAsync(TestNetwork network, string ns, int count)
    {
        var ping = await network.InAsync(ns, "ping", "-n", "-q", "-c", count.ToString(CultureInfo.InvariantCulture), "-i", "0.3", "-W", "5", "10.60.0.2");
        var output = ping.StandardOutput.Trim().ReplaceLineEndings(" | ");
        var summary = ping.StandardOutput.Split('\n').SingleOrDefault(l => l.StartsWith("rtt ", StringComparison.Ordinal));
        Assert.True(summary is not null, $"ping printed no rtt summary: {output}");

        // "rtt min/avg/max/mdev = 100.123/100.456/100.789/0.123 ms"
        return (double.Parse(summary.Split(" = ")[1].Split('/')[0], CultureInfo.InvariantCulture), output);
    }
}
