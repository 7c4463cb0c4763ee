using System.Diagnostics;
using System.Text.Json;
using Fleet.Web.Formatting;

namespace Fleet.Web.Tests.Formatting;

/// <summary>
/// The browser formats live values with wwwroot/js/units.js, the server the first frame with <see cref="Units"/>:
/// the same value must read the same before and after the first live update. Runs the module under node.
/// </summary>
public sealed class UnitsScriptTests
{
    private static readonly double[] s_values = [0, 0.004, 0.05, 0.35, 2.5, 12.34, 99.96, 250, 950, 999.4, 999.6, 1250, 1234, 1_500_000, 12_345_678, 321_000_000, 12_300_000_000, -2000];

    [Fact]
    public async Task UnitsModule_SameValues_FormatLikeServer()
    {
        var node = FindNode();
        var module = new Uri(Path.Combine(RepositoryRoot(), "src", "Web", "wwwroot", "js", "units.js")).AbsoluteUri;
        var values = JsonSerializer.Serialize(s_values);
        var script = $$"""
            import * as u from "{{module}}";
            const values = {{values}};
            console.log(JSON.stringify(values.map(v => [u.bitsPerSecond(v), u.percent(v), u.milliseconds(v), u.count(Math.trunc(v)), u.duration(Math.abs(v) * 1000)])));
            """;
        var start = new ProcessStartInfo(node) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add("--input-type=module");
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, error);

        var results = JsonSerializer.Deserialize<string[][]>(output)!;
        for (var i = 0; i < s_values.Length; i++)
        {
            var v = s_values[i];
            Assert.Equal(
                [Units.BitsPerSecond(v), Units.Percent(v), Units.Milliseconds(v), Units.Count((long)Math.Truncate(v)), Units.Duration(TimeSpan.FromSeconds(Math.Abs(v)))],
                results[i]);
        }
    }

    private static string FindNode()
    {
        foreach (var candidate in new[] { "/usr/bin/node", "/usr/local/bin/node" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail("node is required to build the dashboard (build/prerequisites.sh installs nodejs)");
        return "";
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Fleet.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("Fleet.sln not found above " + AppContext.BaseDirectory);
    }

}
