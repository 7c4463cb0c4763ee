using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
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
            var report = GuestReport.Read(run, File.Exists(results) ? results : null, expected, started.Elapsed);
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

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Length <= lines ? all : all[^lines..]);
    }

    private static string Cut(string? text, int length) =>
        text is null ? "" : text.Length <= length ? text : text[..length] + "…";

    /// <summary>What the guest run produced, and an explanation that makes a failure readable from the CI log alone.</summary>
    private sealed record GuestReport(
        IReadOnlyList<(string Name, string? Result, double Seconds)>? Tests,
        IReadOnlyList<string> Missing,
        IReadOnlyList<(string Name, string Why)> Failed,
        string Summary,
        string Explanation)
    {
        public static GuestReport Read(CommandResult run, string? resultsFile, IReadOnlySet<string> expected, TimeSpan elapsed)
        {
            List<(string Name, string? Result, double Seconds)>? tests = null;
            var failed = new List<(string Name, string Why)>();
            if (resultsFile is not null)
            {
                tests = [];
                foreach (var test in XDocument.Load(resultsFile).Descendants("test"))
                {
                    var name = $"{(string?)test.Attribute("type")}.{(string?)test.Attribute("method")}";
                    var result = (string?)test.Attribute("result");
                    var seconds = double.TryParse((string?)test.Attribute("time"), NumberStyles.Float, CultureInfo.InvariantCulture, out var t) ? t : double.NaN;
                    tests.Add((name, result, seconds));
                    if (result != "Pass")
                    {
                        var failure = test.Element("failure");
                        var message = (string?)failure?.Element("message") ?? (string?)test.Element("reason") ?? "(no message)";
                        var stack = string.Join(" / ", ((string?)failure?.Element("stack-trace") ?? "")
                            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Where(l => l.Contains("Fleet.", StringComparison.Ordinal))
                            .Take(4));
                        failed.Add((name, $"{result} after {seconds:0.#} s: {Cut(message.Trim(), 3000)}{(stack.Length > 0 ? $" [at {stack}]" : "")}"));
                    }
                }
            }

            var missing = tests is null ? expected.Order(StringComparer.Ordinal).ToList() : expected.Where(e => tests.Count(t => t.Name == e) != 1).Order(StringComparer.Ordinal).ToList();
            var meaning = run.ExitCode switch
            {
                0 => "every selected test passed",
                96 => "harness usage error",
                97 => "harness or guest set-up error",
                98 => "the guest died without reporting (kernel panic, crash, OOM of qemu)",
                99 => "the guest did not finish in time",
                -1 => "the harness itself timed out or did not start",
                _ => "the guest's test run failed",
            };
            var timings = tests is null ? "" : string.Join(", ", tests.OrderByDescending(t => t.Seconds).Select(t => $"{t.Name[(t.Name.LastIndexOf('.') + 1)..]} {t.Seconds:0} s"));
            var summary = $"guest run took {elapsed.TotalSeconds:0} s, exit code {run.ExitCode} ({meaning}); guest test times: {(timings.Length > 0 ? timings : "none (no results.xml)")}";

            var explanation = new StringBuilder();
            explanation.AppendLine(summary);
            explanation.AppendLine("harness (kernel-vm.sh stderr):");
            explanation.AppendLine(Tail(run.StandardError.Trim(), 20));
            foreach (var (name, why) in failed)
            {
                explanation.AppendLine($"FAILED {name}: {why}");
            }

            if (tests is null)
            {
                // No results file: xunit's own failure lines on the console are the best account.
                foreach (var line in run.StandardOutput.Split('\n').Where(l => l.Contains("[FAIL]", StringComparison.Ordinal)).Take(20))
                {
                    explanation.AppendLine(line.TrimEnd());
                }
            }

            explanation.AppendLine("guest console (last 60 lines):");
            explanation.AppendLine(Tail(run.StandardOutput.TrimEnd(), 60));
            return new GuestReport(tests, missing, failed, summary, explanation.ToString());
        }
    }
}
