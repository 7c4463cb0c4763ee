using Fleet.Api.Agents;
using Fleet.Api.Data.Entities;
using Fleet.Api.Links;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Testing.Kinds;

namespace Fleet.Api.Tests.Agents;

/// <summary>
/// Issue 15: capabilities are a set of kinds. The Api keeps the kinds it knows (a kind registered by a test
/// included) and names a missing kind's own capability when it refuses a link (it used to call every kind but bond,
/// teql and mptcp "tun").
/// </summary>
public sealed class HelloCapabilitiesTests
{
    public HelloCapabilitiesTests() => FifthKind.Register();

    [Fact]
    public void Bound_KindsUnknownOrRepeated_KeepsEachKnownKindOnce()
    {
        var hello = Hello(new AgentCapabilities(["striper", "warp-drive", "fifth", "bond", "striper"]));

        var bound = HelloBounds.Bound(hello, out _);

        Assert.Equal(["bond", "striper", "fifth"], bound.Capabilities.Kinds);
    }

    [Fact]
    public void CapabilityProblem_FifthKindMissing_NamesItsOwnCapabilityAndNote()
    {
        var host = new HostEntity
        {
            Name = "edge-1",
            Hostname = "edge-1",
            Capabilities = AgentCapabilities.Of(LinkKind.Bond) with { Notes = new Dictionary<string, string> { ["fifth-driver"] = "module fifth not found" } },
        };

        Assert.Equal("Host 'edge-1' cannot run fifth links: its agent reports fifth-driver=false (module fifth not found).",
            LinkSpecChecks.CapabilityProblem(host, FifthKind.Value));
        Assert.Null(LinkSpecChecks.CapabilityProblem(host, LinkKind.Bond));
    }

    [Fact]
    public void CapabilityProblem_StriperMissing_NamesTun()
    {
        var host = new HostEntity { Name = "edge-2", Hostname = "edge-2", Capabilities = AgentCapabilities.Of(LinkKind.Bond) };

        Assert.Equal("Host 'edge-2' cannot run striper links: its agent reports tun=false.", LinkSpecChecks.CapabilityProblem(host, LinkKind.Striper));
    }

    private static AgentHello Hello(AgentCapabilities capabilities) => new()
    {
        Hostname = "edge-1",
        AgentVersion = "1.0",
        KernelVersion = "6.1.0-28-amd64",
        Capabilities = capabilities,
        Interfaces = [],
    };
}
