using Fleet.Contracts.Agents;

namespace Fleet.Agent.Inventory;

/// <summary>Collects what the agent tells the Api about its host on every connect.</summary>
public interface IInventorySource
{
    /// <summary>The host's current inventory.</summary>
    Task<AgentHello> CollectAsync(CancellationToken cancellationToken);
}
