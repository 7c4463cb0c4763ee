using System.Net.Http.Json;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// <c>fleet-api --demo</c> as a newcomer runs it: SQLite, nothing else set up. How fast the first live samples come is
/// measured by <c>bench/demo</c> (target: within 5 s of the Api being up), not timed here: on a loaded machine a timed
/// assertion fails for the machine, not for the code.
/// </summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_ShowsLiveChangingSamples_ThenEveryKindApplied()
    {
        await using var api = await ApiProcess.StartAsync(new ApiProcessOptions { Configuration = { ["Fleet:Demo"] = "true" } }, TestContext.Current.CancellationToken);
        using var http = api.CreateClient();
        await using var live = await LiveSubscriber.ConnectAsync(api.BaseAddress, api.AdminApiKey);

        var links = new List<LinkDto>();
        await Eventually.TrueAsync(
            async () =>
            {
                var page = await http.GetFromJsonAsync<Page<LinkDto>>("api/v1/links", FleetJson.Options, TestContext.Current.CancellationToken);
                links = [.. page!.Items];
                return links.Count > 0;
            },
            "the demo's links",
            TimeSpan.FromSeconds(60),
            () => api.Output);
        await live.SubscribeHostAsync(links[0].HostId);
        await Eventually.TrueAsync(
            () => live.Samples.Select(s => s.Sample.TxBytes).Distinct().Count() >= 2,
            "live samples whose values change",
            TimeSpan.FromSeconds(60),
            () => api.Output);

        // The whole demo fleet comes up: one link per host (six of their own, the aggregator, its three sites), each
        // applied, every kind among them.
        await Eventually.TrueAsync(
            async () =>
            {
                var page = await http.GetFromJsonAsync<Page<LinkDto>>("api/v1/links", FleetJson.Options, TestContext.Current.CancellationToken);
                links = [.. page!.Items];
                return links.Count == DemoHosts.Count && links.All(l => l.Phase == LinkPhase.Applied);
            },
            $"{DemoHosts.Count} applied demo links",
            TimeSpan.FromSeconds(30),
            () => api.Output);
        Assert.Equal(Enum.GetValues<LinkKind>().Order(), links.Select(l => l.Kind).Distinct().Order());
    }
}
