using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Fleet.Agent.Processes;
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
            var results = Path.Combine(share, "results.xml");
            var (dotnetRoot, command) = GuestTestCommand();
            var started = Stopwatch.StartNew();
            var run = await new CommandRunner().RunAsync(
                script,
                ["--timeout", "1500", "--keep-share", share, "--env", $"DOTNET_ROOT={dotnetRoot}", "--",
                 .. command, "-trait", $"{KernelVmGuest.TraitName}={KernelVmGuest.TraitValue}", "-xml", results,
                 // Test classes run side by side (each in its own namespaces): their waits overlap on the guest's two CPUs.
                 "-failSkips", "-parallel", "collections", "-maxThreads", "2", "-noColor", "-noLogo"],
                TimeSpan.FromMinutes(26),
                cancellationToken: TestContext.Current.CancellationToken);
            // When this test's own limit ended the harness, the runner kept no output: the console log in the share has it.
            var console = Path.Combine(share, "console.log");
            if (run.StandardOutput.Length == 0 && File.Exists(console))
            {
                run = run with { StandardOutput = await File.ReadAllTextAsync(console, TestContext.Current.CancellationToken) };
            }

            var report = KernelVmGuestReport.Read(run, File.Exists(results) ? results : null, expected, started.Elapsed);
            output.WriteLine(report.Summary);
            output.WriteLine(run.StandardError);
            output.WriteLine(run.StandardOutput);

            // Every assertion carries the whole explanation: the CI log shows only the failure message.
            Assert.True(report.Tests is not null, $"the guest wrote no results.xml. {report.Explanation}");
            Assert.True(report.Missing.Count == 0, $"guest test(s) that did not run in the guest: {string.Join(", ", report.Missing)}. {report.Explanation}");
            Assert.True(report.Failed.Count == 0, $"guest test(s) that did not pass: {string.Join(", ", report.Failed.Select(f => f.Name))}. {report.Explanation}");
            Assert.True(expected.Count == report.Tests.Count(t => t.Result == "Pass"), $"expected {expected.Count} passing guest tests. {report.Explanation}");
            Assert.True(run.ExitCode == 0, $"the guest's test run exited with {run.ExitCode} although every test passed. {report.Explanation}");
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

    /// <summary>
    /// How the guest runs this test assembly: through the dotnet that runs this process (<c>dotnet exec</c> with its
    /// root as DOTNET_ROOT), so the guest finds the runtime wherever the host has it installed.
    /// </summary>
    private static (string DotnetRoot, string[] Command) GuestTestCommand()
    {
        // .../shared/Microsoft.NETCore.App/10.0.x/ -> the dotnet root, which holds the dotnet muxer.
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/'));
        var root = runtime.Parent?.Parent?.Parent?.FullName;
        var muxer = root is null ? null : Path.Combine(root, "dotnet");
        Assert.True(muxer is not null && File.Exists(muxer), $"no dotnet muxer above the runtime directory {runtime.FullName}");
        var assembly = typeof(KernelVmHarnessTests).Assembly.Location;
        return (root!, [muxer!, "exec", assembly]);
    }
}
