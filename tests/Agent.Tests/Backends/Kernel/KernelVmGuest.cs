using System.Runtime.CompilerServices;
using Xunit.Sdk;
using Xunit.v3;

namespace Fleet.Agent.Tests.Backends.Kernel;

/// <summary>
/// Tests that need a kernel with bonding, teql and netem run inside the Debian kernel that tests/KernelVm/kernel-vm.sh
/// boots under qemu. There they are discovered and run (the guest's kernel command line carries
/// <c>fleet.kernelvm=1</c>); on the host they are not discovered at all, so they are neither skipped nor passed
/// vacuously. <see cref="KernelVmHarnessTests"/> (trait KernelVm, on the host) boots the guest, runs exactly these tests
/// there with skips counted as failures, and fails unless every one of them passed.
/// </summary>
internal static class KernelVmGuest
{
    /// <summary>The trait that selects the guest's tests (<c>-trait KernelVm=Guest</c>).</summary>
    public const string TraitName = "KernelVm";

    /// <summary>The trait value of the guest's tests.</summary>
    public const string TraitValue = "Guest";

    private static readonly Lazy<bool> s_isGuest = new(() =>
    {
        try
        {
            return File.ReadAllText("/proc/cmdline").Split(' ', StringSplitOptions.TrimEntries).Contains("fleet.kernelvm=1");
        }
        catch (IOException)
        {
            return false;
        }
    });

    /// <summary>True inside the kernel-VM guest.</summary>
    public static bool IsGuest => s_isGuest.Value;
}

/// <summary>A fact that exists only inside the kernel-VM guest (see <see cref="KernelVmGuest"/>).</summary>
[XunitTestCaseDiscoverer(typeof(KernelVmGuestFactDiscoverer))]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class KernelVmGuestFactAttribute(
    [CallerFilePath] string? sourceFilePath = null,
    [CallerLineNumber] int sourceLineNumber = -1)
    : FactAttribute(sourceFilePath, sourceLineNumber)
{
}

/// <summary>Discovers <see cref="KernelVmGuestFactAttribute"/> tests in the guest only.</summary>
internal sealed class KernelVmGuestFactDiscoverer : IXunitTestCaseDiscoverer
{
    private readonly FactDiscoverer _inner = new();

    public ValueTask<IReadOnlyCollection<IXunitTestCase>> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, IXunitTestMethod testMethod, IFactAttribute factAttribute) =>
        KernelVmGuest.IsGuest
            ? _inner.Discover(discoveryOptions, testMethod, factAttribute)
            : new ValueTask<IReadOnlyCollection<IXunitTestCase>>([]);
}
