using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Docs;

/// <summary>
/// Runs a guide's sh block that brings up the lab (deploy/lab/netns-lab.sh) by bash exactly as written, against a
/// live Api started for it, with a lab prefix of this run only (so a lab someone left up, or a parallel run, is not
/// touched), and takes that lab down afterwards whatever happened.
/// </summary>
internal static class LabDocFlow
{
    /// <summary>Runs the block; <paramref name="check"/> gets the Api, the lab prefix and bash's result while the Api still runs.</summary>
    public static async Task RunAsync(string doc, Regex block, TimeSpan timeout, Func<ApiProcess, string, ProcessResult, Task> check)
    {
        Privileged.Require("creates network namespaces, veths, TUN devices and nftables rules");
        Privileged.RequireTool("/usr/bin/curl", "curl");
        Privileged.RequireTool("/usr/bin/jq", "jq");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        var script = block.Match(Repository.Read("docs", doc));
        Assert.True(script.Success, $"docs/{doc} has no sh block where {block} looks for it");
        var lab = "t" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        await using var api = await ApiProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

        try
        {
            var result = await ExternalProcess.RunAsync(
                "/bin/bash",
                ["-euo", "pipefail", "-c", script.Groups["script"].Value],
                timeout,
                new Dictionary<string, string?> { ["KEY"] = api.AdminApiKey, ["FLEET_PORT"] = api.Port.ToString(CultureInfo.InvariantCulture), ["LAB"] = lab });

            Assert.True(result.ExitCode == 0, result.Describe($"the lab flow of docs/{doc}") + "\n--- Api ---\n" + api.Output);
            await check(api, lab, result);
        }
        finally
        {
            await ExternalProcess.RunAsync(Repository.PathOf("deploy", "lab", "netns-lab.sh"), ["down", "--prefix", lab], TimeSpan.FromMinutes(1));
        }
    }
}
