using System.Reflection;
using System.Xml.Linq;
using Fleet.Agent.Host;
using Fleet.Testing;

namespace Fleet.Agent.Tests.Backends.Kernel;

/// <summary>
/// Boots the Debian kernel under qemu with tests/KernelVm/kernel-vm.sh and runs this test assembly's
/// <see cref="KernelVmGuestFactAttribute"/> tests inside it (bonding, teql, netem), skips counted as failures.
/// Passes only when the guest ran every one of them and each passed.
/// </summary>
[Trait(TestCategories.Name, TestCategories.KernelVm)]
[Trait(KernelVmGuest.TraitName, "Host")]
public sealed class KernelVmHarnessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task GuestSuite_InDebianKernelUnderQemu_EveryGuestTestPasses()
    {
        Privileged.Require("booting a Debian kernel under qemu");
        Privileged.RequireTool("/usr/bin/qemu-system-x86_64", "qemu-system-x86");
        Privileged.RequireTool("/usr/share/qemu/qboot.rom", "qemu-system-x86");
        Privileged.RequireTool("/bin/busybox", "busybox-static");
        Privileged.RequireTool(Directory.GetFiles("/boot", "vmlinuz-*").FirstOrDefault() ?? "/boot/vmlinuz-*", "linux-image-amd64");
        Assert.False(KernelVmGuest.IsGuest, "the harness test must not run inside the guest (filter the guest run with -trait KernelVm=Guest)");

        var expected = typeof(KernelVmHarnessTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<KernelVmGuestFactAttribute>() is not null)
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(expected);

        var share = Directory.CreateTempSubdirectory("fleet-vm-results-").FullName;
        try
        {
            var script = Path.Combine(RepositoryRoot(), "tests", "KernelVm", "kernel-vm.sh");
            var executable = Path.Combine(AppContext.BaseDirectory, "Fleet.Agent.Tests");
            var results = Path.Combine(share, "results.xml");
            var started = DateTime.UtcNow;
            var run = await new CommandRunner().RunAsync(
                script,
                ["--timeout", "1500", "--keep-share", share, "--",
                 executable, "-trait", $"{KernelVmGuest.TraitName}={KernelVmGuest.TraitValue}", "-xml", results,
                 // Test classes run side by side (each in its own namespaces): their waits overlap on the guest's two CPUs.
                 "-failSkips", "-parallel", "collections", "-maxThreads", "2", "-noColor", "-noLogo"],
                TimeSpan.FromMinutes(26),
                cancellationToken: TestContext.Current.CancellationToken);
            output.WriteLine($"guest run took {(DateTime.UtcNow - started).TotalSeconds:0} s, exit code {run.ExitCode}");
            output.WriteLine(run.StandardOutput);
            output.WriteLine(run.StandardError);

            Assert.True(File.Exists(results), $"the guest wrote no results (exit code {run.ExitCode}): {Tail(run.StandardOutput)} {run.StandardError}");
            var tests = XDocument.Load(results).Descendants("test")
                .Select(t => (Name: $"{(string?)t.Attribute("type")}.{(string?)t.Attribute("method")}", Result: (string?)t.Attribute("result")))
                .ToList();
            foreach (var name in expected)
            {
                var match = tests.Where(t => t.Name == name).ToList();
                Assert.True(match.Count == 1, $"guest test {name} did not run in the guest");
                Assert.True(match[0].Result == "Pass", $"guest test {name}: {match[0].Result}");
            }

            Assert.Equal(expected.Count, tests.Count(t => t.Result == "Pass"));
            Assert.Equal(0, run.ExitCode);
        }
        finally
        {
            Directory.Delete(share, recursive: true);
        }
    }

    [Fact]
    public async Task Harness_GuestCommandFails_ReturnsItsExitCodeAndOutput()
    {
        Privileged.Require("booting a Debian kernel under qemu");
        Privileged.RequireTool("/usr/bin/qemu-system-x86_64", "qemu-system-x86");
        Assert.False(KernelVmGuest.IsGuest, "the harness test must not run inside the guest");

        // A failing guest must fail the caller: the exit code crosses the VM boundary unchanged.
        var script = Path.Combine(RepositoryRoot(), "tests", "KernelVm", "kernel-vm.sh");
        var run = await new CommandRunner().RunAsync(
            script,
            ["--timeout", "300", "--", "sh", "-c", "echo guest-says-$FLEET_KERNEL_VM-$(uname -r); exit 7"],
            TimeSpan.FromMinutes(6),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(7, run.ExitCode);
        var release = Directory.GetFiles("/boot", "vmlinuz-*").Select(f => Path.GetFileName(f)["vmlinuz-".Length..]).ToList();
        Assert.Contains(release, r => run.StandardOutput.Contains($"guest-says-1-{r}", StringComparison.Ordinal));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Fleet.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Fleet.sln above {AppContext.BaseDirectory}");
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
