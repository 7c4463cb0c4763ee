using System.Text.Json;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Hub;

/// <summary>Every hub message survives Fleet's JSON (absent optional values omitted, constructor parameters required).</summary>
public sealed class HubContractJsonTests
{
    private static T RoundTrip<T>(T value) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, FleetJson.Options), FleetJson.Options)!;

    [Fact]
    public void AgentHello_WithAbsentOptionalValues_RoundTrips()
    {
        var hello = new AgentHello
        {
            Hostname = "h",
            AgentVersion = "1",
            KernelVersion = "6.1",
            Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Mptcp),
            Interfaces = [new InterfaceInventory { Name = "eth0", Mtu = 1500, Up = true }],
        };

        var copy = RoundTrip(hello);

        Assert.Equal("eth0", copy.Interfaces[0].Name);
        Assert.Null(copy.Interfaces[0].Kind);
        Assert.Null(copy.Capabilities.Notes);
        Assert.True(copy.Capabilities.Supports(LinkKind.Mptcp));
    }

    [Fact]
    public void InterfaceInventory_BuiltPositionally_RoundTrips()
    {
        var entry = new InterfaceInventory("eth0", null, null, 1500, true, ["10.0.0.1/24"]);

        var copy = RoundTrip(entry);

        Assert.Equal("eth0", copy.Name);
        Assert.Null(copy.MacAddress);
        Assert.Equal(["10.0.0.1/24"], copy.Addresses);
    }

    [Fact]
    public void Messages_RoundTrip()
    {
        var link = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(new BatchAck(3), RoundTrip(new BatchAck(3)));
        Assert.Equal(new LinkConfirmation(link, 2), RoundTrip(new LinkConfirmation(link, 2)));
        var state = new ObservedLinkState { LinkId = link, ObservedGeneration = 1, TargetGeneration = 2, Phase = LinkPhase.RolledBack, Time = now };
        Assert.Equal(state, RoundTrip(state));
        var desired = RoundTrip(new DesiredLink(link, 2, Specs.Striper()));
        Assert.True(LinkSpecEquality.AreEquivalent(Specs.Striper(), desired.Spec));
        var batch = RoundTrip(new SampleBatch { Sequence = 5, Samples = Queue.QueueData.Samples(2, now), Events = [new AgentEvent { Time = now, Kind = AgentEventKind.QueueOverflow, Message = "m" }] });
        Assert.Equal(2, batch.Samples.Count);
        Assert.Equal(AgentEventKind.QueueOverflow, batch.Events[0].Kind);
        Assert.Contains("\"phase\":\"rolled_back\"", JsonSerializer.Serialize(state, FleetJson.Options), StringComparison.Ordinal);
    }
}
