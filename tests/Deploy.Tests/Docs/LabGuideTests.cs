using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Docs;

/// <summary>
/// docs/operations.md's lab (deploy/lab/netns-lab.sh), run by bash exactly as written against a live Api: two
/// namespace hosts with real agents, a striper link between them made through REST, traffic through its tunnel, and
/// the lab taken down again.
/// </summary>
public sealed partial class LabGuideTests
{
    [Fact]
    [Trait(TestCategories.Name, TestCategories.Privileged)]
    public async Task LabFlow_RunsAsWritten_TheLinkCarriesTrafficAndDownLeavesNothing()
    {
        Privileged.Require("creates network namespaces, veths, TUN devices and nftables rules");
        Privileged.RequireTool("/usr/bin/curl", "curl");
        Privileged.RequireTool("/usr/bin/jq", "jq");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        var script = LabFlow().Match(Repository.Read("docs", "operations.md"));
        Assert.True(script.Success, "docs/operations.md has no sh block under '## Try it: a lab on one machine'");
        // A prefix of this run only, so a lab someone left up (or a parallel run) is not touched.
        var lab = "t" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        await using var api = await ApiProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

        try
        {
            var result = await ExternalProcess.RunAsync(
                "/bin/bash",
                ["-euo", "pipefail", "-c", script.Groups["script"].Value],
                TimeSpan.FromMinutes(3),
                new Dictionary<string, string?> { ["KEY"] = api.AdminApiKey, ["FLEET_PORT"] = api.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["LAB"] = lab });

            Assert.True(result.ExitCode == 0, result.Describe("the lab flow of docs/operations.md") + "\n--- Api ---\n" + api.Output);
            // What the comments in the block say the steps print.
            Assert.Equal(["pending", "pending", "5 received"], result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l is "pending" or "5 received"));
            using var http = api.CreateClient();
            var links = await http.GetFromJsonAsync<Page<LinkDto>>("api/v1/links", FleetJson.Options, TestContext.Current.CancellationToken);
            Assert.Equal(2, links!.Items.Count);
            Assert.All(links.Items, l => Assert.Equal(LinkPhase.Applied, l.Phase));

            var namespaces = await ExternalProcess.RunAsync("ip", ["netns", "list"], TimeSpan.FromSeconds(30));
            Assert.DoesNotContain(lab + "-", namespaces.StandardOutput, StringComparison.Ordinal);
            var tables = await ExternalProcess.RunAsync("nft", ["list", "tables"], TimeSpan.FromSeconds(30));
            Assert.DoesNotContain("fleet_lab_" + lab, tables.StandardOutput, StringComparison.Ordinal);
            Assert.False(Directory.Exists("/run/fleet-lab/" + lab));
        }
        finally
        {
            await ExternalProcess.RunAsync(Repository.PathOf("deploy", "lab", "netns-lab.sh"), ["down", "--prefix", lab], TimeSpan.FromMinutes(1));
        }
    }

    [GeneratedRegex(@"## Try it: a lab on one machine.*?```sh\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex LabFlow();
}
