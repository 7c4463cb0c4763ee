using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Fleet.Contracts.Json;
using Fleet.Contracts.Rest;
using Fleet.Deploy.Tests.Infrastructure;
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
    public async Task LinkPairFlow_RunsAsWritten_OneCallCarriesTrafficOnePutChangesBothEnds()
    {
        Privileged.Require("creates network namespaces, veths, TUN devices and nftables rules");
        Privileged.RequireTool("/usr/bin/curl", "curl");
        Privileged.RequireTool("/usr/bin/jq", "jq");
        Privileged.RequireTool("/usr/sbin/nft", "nftables");
        var script = PairFlow().Match(Repository.Read("docs", "striper-protocol.md"));
        Assert.True(script.Success, "docs/striper-protocol.md has no sh block under '### Two Fleet hosts: a link pair'");
        var lab = "t" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        await using var api = await ApiProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

        try
        {
            var result = await ExternalProcess.RunAsync(
                "/bin/bash",
                ["-euo", "pipefail", "-c", script.Groups["script"].Value],
                TimeSpan.FromMinutes(5),
                new Dictionary<string, string?> { ["KEY"] = api.AdminApiKey, ["FLEET_PORT"] = api.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["LAB"] = lab });

            Assert.True(result.ExitCode == 0, result.Describe("the link pair flow of docs/striper-protocol.md") + "\n--- Api ---\n" + api.Output);
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
        }
        finally
        {
            await ExternalProcess.RunAsync(Repository.PathOf("deploy", "lab", "netns-lab.sh"), ["down", "--prefix", lab], TimeSpan.FromMinutes(1));
        }
    }

    [GeneratedRegex(@"### Two Fleet hosts: a link pair.*?```sh\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex PairFlow();
}
