using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Docs;

/// <summary>
/// docs/aggregator.md's lab run (issue 17), by bash exactly as written against a live Api: three lab hosts with real
/// agents in network namespaces, an aggregator made by one call, two sites by one call each, traffic from both sites
/// through their tunnels to the aggregator, one DELETE that removes a site from both sides.
/// </summary>
public sealed partial class AggregatorGuideTests
{
    [Fact]
    [Trait(TestCategories.Name, TestCategories.Privileged)]
    public Task SitesFlow_RunsAsWritten_SitesReachTheAggregatorAndOneDeleteRemovesASiteFromBothSides() =>
        LabDocFlow.RunAsync("aggregator.md", SitesFlow(), TimeSpan.FromMinutes(5), async (api, _, result) =>
        {
            // What the comments in the block say the steps print, in order.
            Assert.Equal(
                [
                    "1 10.100.0.16/28 10.100.0.17/16 10.101.1.2:7000", "2 10.100.0.32/28 10.100.0.33/16 10.101.1.2:7000",
                    "applied 3, applied 1, applied 1", "5 received", "5 received", "204", "site0 gone", "1 site left: [1]", "applied 4", "5 received",
                ],
                result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

            // Left in the Api: the aggregator with site 1 only, and site 1's link; site 2's link is gone.
            using var http = api.CreateClient();
            var links = await http.GetFromJsonAsync<Page<LinkDto>>("api/v1/links", FleetJson.Options, TestContext.Current.CancellationToken);
            var aggregator = Assert.Single(links!.Items, l => l.Kind == LinkKind.Aggregator);
            Assert.Equal([1], aggregator.Spec.Aggregator!.Sites.Select(s => s.Id));
            var site = Assert.Single(links.Items, l => l.Kind == LinkKind.Striper);
            Assert.Equal(1, site.Spec.Striper!.SiteId);
        });

    [GeneratedRegex(@"### A lab run: one aggregator, two sites.*?```sh\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex SitesFlow();
}
