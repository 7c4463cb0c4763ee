using Fleet.Agent.Backends;
using Fleet.Agent.Backends.InMemory;
using Fleet.Contracts.Agents;

namespace Fleet.Agent.Inventory;

/// <summary>The inventory of a <see cref="SimulatedHost"/>: its name, its "kernel", its interfaces with made-up addresses.</summary>
public sealed class SimulatedInventory(SimulatedHost host, LinkBackends backends) : IInventorySource
{
    /// <inheritdoc />
    public Task<AgentHello> CollectAsync(CancellationToken cancellationToken)
    {
        var interfaces = new List<InterfaceInventory>
        {
            new() { Name = "lo", Kind = "loopback", Mtu = 65536, Up = true, Addresses = ["127.0.0.1/8", "::1/128"] },
        };
        var index = 0;
        foreach (var name in host.Interfaces)
        {
            index++;
            interfaces.Add(new InterfaceInventory
            {
                Name = name,
                Kind = "ether",
                MacAddress = $"02:00:00:00:{index / 256:x2}:{index % 256:x2}",
                Mtu = 1500,
                Up = true,
                Addresses = [$"198.18.{index % 256}.{2 + ((host.Hostname.Length * 7) % 250)}/24"],
            });
        }

        return Task.FromResult(new AgentHello
        {
            Hostname = host.Hostname,
            AgentVersion = Program.Version,
            KernelVersion = host.KernelVersion,
            Capabilities = Capabilities.Detect(backends),
            Interfaces = interfaces,
        });
    }
}
