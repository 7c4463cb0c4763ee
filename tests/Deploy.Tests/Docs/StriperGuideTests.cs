using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Testing;

namespace Fleet.Deploy.Tests.Docs;

/// <summary>
/// docs/striper-protocol.md's link pair (issue 20, item 2), run by bash exactly as written against a live Api: two lab
/// hosts with real agents in network namespaces, one REST call that makes both ends of a striper link, traffic
/// through its tunnel, one PUT that changes both ends, traffic again, one DELETE that removes both.
/// </summary>
public sealed partial class StriperGuideTests
{
    [Fact]
    [Trait(TestCategories.Name, TestCategories.Privileged)]
    public Task LinkPairFlow_RunsAsWritten_OneCallCarriesTrafficOnePutChangesBothEnds() =>
        LabDocFlow.RunAsync("striper-protocol.md", PairFlow(), TimeSpan.FromMinutes(5), async (api, _, result) =>
        {
            // What the comments in the block say the steps print, in order.
            Assert.Equal(
                ["10.99.0.1/30 10.99.0.2/30", "applied applied 1 1", "5 received", "2 2 2", "applied applied 2 2", "5 received", "204"],
                result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

            // The one DELETE removed the pair and both its ends.
            using var http = api.CreateClient();
            var pairs = await http.GetFromJsonAsync<Page<LinkPairDto>>("api/v1/link-pairs", FleetJson.Options, TestContext.Current.CancellationToken);
            Assert.Empty(pairs!.Items);
            var links = await http.GetFromJsonAsync<Page<LinkDto>>("api/v1/links", FleetJson.Options, TestContext.Current.CancellationToken);
            Assert.Empty(links!.Items);
        });

    [GeneratedRegex(@"### Two Fleet hosts: a link pair.*?```sh\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex PairFlow();
}
