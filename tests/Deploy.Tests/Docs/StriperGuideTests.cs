using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Contracts.Links.Validation;
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

    /// <summary>
    /// The per-host example of the same page (two ends written by hand, for a peer Fleet does not manage): with a real
    /// key in place of its placeholder, each end is a spec the validator accepts, and on every path one end listens
    /// where the other dials (issue 20, item 3: two ends that both only dial never meet).
    /// </summary>
    [Fact]
    public void PerHostEnds_AsWritten_AreValidAndMeetOnEveryPath()
    {
        var section = Repository.Read("docs", "striper-protocol.md");
        section = section[section.IndexOf("## Running it", StringComparison.Ordinal)..section.IndexOf("### Two Fleet hosts", StringComparison.Ordinal)];
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var ends = JsonBlock().Matches(section)
            .Select(m => m.Groups["json"].Value.Replace("<base64 of 32 random bytes>", key, StringComparison.Ordinal).Replace("<the same key>", key, StringComparison.Ordinal))
            .Select(json => System.Text.Json.JsonSerializer.Deserialize<LinkSpec>(json, FleetJson.Options)!)
            .ToList();

        Assert.Equal(2, ends.Count);
        Assert.All(ends, end => Assert.Empty(LinkSpecValidator.Validate(end)));
        var (dialer, listener) = (ends[0], ends[1]);
        Assert.Equal(dialer.Members.Count, listener.Members.Count);
        for (var i = 0; i < dialer.Members.Count; i++)
        {
            var (dials, listens) = (dialer.Members[i], listener.Members[i]);
            Assert.Null(dials.LocalPort);
            Assert.Equal($"{listens.Address}:{listens.LocalPort}", dials.Peer);
        }
    }

    /// <summary>The aggregator example of the same page: with real keys in place of its placeholders, a spec the validator accepts.</summary>
    [Fact]
    public void AggregatorExample_AsWritten_IsValid()
    {
        var section = Repository.Read("docs", "striper-protocol.md");
        section = section[section.IndexOf("## Aggregator", StringComparison.Ordinal)..section.IndexOf("## Security notes", StringComparison.Ordinal)];
        var json = JsonBlock().Match(section).Groups["json"].Value;
        foreach (var placeholder in new[] { "<site 1's key>", "<site 2's key>" })
        {
            json = json.Replace(placeholder, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), StringComparison.Ordinal);
        }

        var spec = System.Text.Json.JsonSerializer.Deserialize<AggregatorSpec>(json, FleetJson.Options)!;

        Assert.Empty(AggregatorSpecValidator.Validate(spec));
        Assert.Equal(2, spec.Sites.Count);
    }

    [GeneratedRegex(@"```json\n(?<json>.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex(@"### Two Fleet hosts: a link pair.*?```sh\n(?<script>.*?)```", RegexOptions.Singleline)]
    private static partial Regex PairFlow();
}
