using Fleet.Agent.Backends;
using Fleet.Agent.Backends.InMemory;
using Fleet.Agent.Inventory;
using Fleet.Contracts.Links;
using Fleet.Testing.Kinds;

namespace Fleet.Agent.Tests.Inventory;

/// <summary>
/// Issue 15: the hello's capabilities are the set of registered kinds whose backend is available, with the reason
/// for each missing one keyed by the capability it needs; a kind registered by a test is asked like the shipped ones.
/// </summary>
public sealed class CapabilitiesTests
{
    public CapabilitiesTests() => FifthKind.Register();

    [Fact]
    public void Detect_EveryBackendAvailable_ListsEveryKindWithoutNotes()
    {
        var host = new SimulatedHost("h", ["eth0"]);

        var capabilities = Capabilities.Detect(Backends(host, [.. Enum.GetValues<LinkKind>(), FifthKind.Value]));

        Assert.Equal(["bond", "teql", "mptcp", "striper", "aggregator", "fifth"], capabilities.Kinds);
        Assert.Null(capabilities.Notes);
    }

    [Fact]
    public void Detect_KindUnavailableOrWithoutBackend_NotesWhyByItsCapability()
    {
        var host = new SimulatedHost("h", ["eth0"], new SimulatedHostOptions
        {
            UnavailableKinds = new Dictionary<LinkKind, string> { [LinkKind.Bond] = "bonding driver not available in kernel 6.18.0-test" },
        });

        var capabilities = Capabilities.Detect(Backends(host, Enum.GetValues<LinkKind>()));

        Assert.Equal(["teql", "mptcp", "striper", "aggregator"], capabilities.Kinds);
        Assert.Equal("bonding driver not available in kernel 6.18.0-test", capabilities.Notes!["bonding"]);
        Assert.Equal("this agent has no fifth backend", capabilities.Notes["fifth-driver"]);
        Assert.False(capabilities.Supports(FifthKind.Value));
    }

    private static LinkBackends Backends(SimulatedHost host, IEnumerable<LinkKind> kinds) =>
        new(kinds.Select(kind => (ILinkBackend)new InMemoryBackend(kind, host)));
}
