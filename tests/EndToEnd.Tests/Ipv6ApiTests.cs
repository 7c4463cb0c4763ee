using Fleet.Contracts.Links;
using Fleet.EndToEnd.Tests.Support;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Issue 16 ("IPv6 end to end"): the Api on an IPv6 address only (<c>http://[::1]:PORT</c>), the agent enrolled, connected
/// and reporting through it, REST answering on it. The striper's IPv6 paths and tunnel are the striper suite's.
/// </summary>
[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class Ipv6ApiTests(PostgresFixture postgres)
{
    [Fact]
    public async Task ApiOnIpv6Loopback_AgentEnrollsConnectsAppliesAndItsSamplesAreStored()
    {
        await using var fleet = await FleetEnvironment.StartAsync(postgres, host: "[::1]");
        Assert.Equal("[::1]", fleet.Api.BaseAddress.Host);

        var (agent, hostId) = await fleet.EnrollAgentAsync();
        agent.StartDaemon();
        await AgentReportingTests.WaitForHelloAsync(fleet, hostId);
        Assert.True((await fleet.Rest.GetHostAsync(hostId)).Online);

        var link = await fleet.Rest.CreateLinkAsync(hostId, E2ESpecs.Bond());
        await fleet.Rest.WaitForLinkAsync(link.Id, l => l.Phase == LinkPhase.Applied && l.ObservedGeneration == 1, "applied over IPv6");
        await AgentReportingTests.WaitForStoredSamplesAsync(fleet, link.Id, 3);
        await fleet.Database.AssertCompleteAsync(hostId, link.Id);
    }
}
