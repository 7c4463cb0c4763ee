using Fleet.Api.Agents;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Api.Tests.Agents;

public sealed class HelloBoundsTests
{
    [Fact]
    public void Bound_OversizedHello_KeepsOnlyWhatTheBoundsAllow()
    {
        var huge = new string('x', 100_000);
        var hello = new AgentHello
        {
            Hostname = huge,
            AgentVersion = huge,
            KernelVersion = huge,
            Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper) with { Notes = Enumerable.Range(0, 1000).ToDictionary(i => $"note{i}", _ => huge) },
            Interfaces = [.. Enumerable.Range(0, 5000).Select(i => new InterfaceInventory($"veth{i}", huge, huge, 1500, true, [.. Enumerable.Range(0, 100).Select(a => huge)]))],
        };

        var bound = HelloBounds.Bound(hello, out var trimmed);

        Assert.True(trimmed);
        Assert.Equal(253, bound.Hostname.Length);
        Assert.Equal(HelloBounds.MaxAgentVersionLength, bound.AgentVersion.Length);
        Assert.Equal(HelloBounds.MaxKernelVersionLength, bound.KernelVersion.Length);
        Assert.Equal(HelloBounds.MaxNotes, bound.Capabilities.Notes!.Count);
        Assert.All(bound.Capabilities.Notes.Values, v => Assert.Equal(HelloBounds.MaxNoteLength, v.Length));
        Assert.Equal(HelloBounds.MaxInterfaces, bound.Interfaces.Count);
        Assert.All(bound.Interfaces, i => Assert.True(i.Addresses.Count <= HelloBounds.MaxAddressesPerInterface && i.Kind!.Length <= HelloBounds.MaxShortFieldLength));
        Assert.Equal(HelloBounds.MaxAddresses, bound.Interfaces.Sum(i => i.Addresses.Count));
        Assert.All(bound.Interfaces.SelectMany(i => i.Addresses), a => Assert.Equal(HelloBounds.MaxAddressLength, a.Length));
    }

    [Fact]
    public void Bound_ControlCharactersInNames_Replaced()
    {
        var hello = new AgentHello
        {
            Hostname = "web1\nERROR forged line",
            AgentVersion = "1.0\0",
            KernelVersion = "6.1",
            Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper),
            Interfaces = [new InterfaceInventory("eth0\t", "ether", null, 1500, true, ["10.0.0.1/24"])],
        };

        var bound = HelloBounds.Bound(hello, out var trimmed);

        Assert.False(trimmed);
        Assert.Equal("web1\uFFFDERROR forged line", bound.Hostname);
        Assert.Equal("1.0\uFFFD", bound.AgentVersion);
        Assert.Equal("eth0\uFFFD", bound.Interfaces[0].Name);
        Assert.Equal(["10.0.0.1/24"], bound.Interfaces[0].Addresses);
    }

    [Fact]
    public void Bound_OrdinaryHello_Unchanged()
    {
        var hello = new AgentHello
        {
            Hostname = "web1",
            AgentVersion = "1.0",
            KernelVersion = "6.1.0-28-amd64",
            Capabilities = AgentCapabilities.Of(LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper) with { Notes = new Dictionary<string, string> { ["bonding"] = "module not found" } },
            Interfaces = [new InterfaceInventory("eth0", "ether", "52:54:00:12:34:56", 1500, true, ["10.0.0.1/24", "fe80::1/64"])],
        };

        var bound = HelloBounds.Bound(hello, out var trimmed);

        Assert.False(trimmed);
        Assert.Equal(hello.Hostname, bound.Hostname);
        Assert.Equal(hello.Capabilities.Notes, bound.Capabilities.Notes);
        Assert.Equivalent(hello.Interfaces, bound.Interfaces, strict: true);
    }
}
