using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Fleet.Agent.Processes;

namespace Fleet.Agent.Tests.Backends.Kernel;

/// <summary>What the guest run produced, and an explanation that makes a failure readable from the CI log alone.</summary>
internal sealed record KernelVmGuestReport(
    IReadOnlyList<(string Name, string? Result, double Seconds)>? Tests,
    IReadOnlyList<string> Missing,
    IReadOnlyList<(string Name, string Why)> Failed,
    string Summary,
    string Explanation)
{
    public static KernelVmGuestReport Read(CommandResult run, string? resultsFile, IReadOnlySet<string> expected, TimeSpan elapsed)
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
        return new KernelVmGuestReport(tests, missing, failed, summary, explanation.ToString());
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Length <= lines ? all : all[^lines..]);
    }

    private static string Cut(string? text, int length) =>
        text is null ? "" : text.Length <= length ? text : text[..length] + "…";
}
