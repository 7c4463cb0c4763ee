using System.Net.Http.Json;
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
    public Task LabFlow_RunsAsWritten_TheLinkCarriesTrafficAndDownLeavesNothing() =>
        LabDocFlow.RunAsync("operations.md", LabFlow(), TimeSpan.FromMinutes(3), async (api, lab, result) =>
        {
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
        });

    [GeneratedRegex(@"## Try it: a lab on one machine.*?```sh\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex LabFlow();
}
