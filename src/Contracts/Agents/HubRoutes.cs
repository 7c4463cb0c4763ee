namespace Fleet.Contracts.Agents;

/// <summary>Paths of Fleet's SignalR hubs on the Api.</summary>
public static class HubRoutes
{
    /// <summary>Agents connect here with their per-host credential.</summary>
    public const string Agent = "/hubs/agent";

    /// <summary>Dashboards (authenticated users) subscribe to live samples and phase changes here.</summary>
    public const string Live = "/hubs/live";
}
