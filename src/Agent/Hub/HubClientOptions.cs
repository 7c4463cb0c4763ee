namespace Fleet.Agent.Hub;

/// <summary>How the agent talks to <c>/hubs/agent</c>.</summary>
public sealed class HubClientOptions
{
    /// <summary>First reconnect delay (before jitter).</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A connection that lasted this long resets the backoff.</summary>
    public TimeSpan StableConnection { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Batches sent before their acknowledgements arrive (pipelining for catch-up after an outage).</summary>
    public int MaxBatchesInFlight { get; set; } = 16;

    /// <summary>The connection counts as lost when the Api sends nothing (not even a ping) for this long.</summary>
    public TimeSpan ServerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the agent checks whether the host's inventory changed since it last sent it (and after every apply).</summary>
    public TimeSpan InventoryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the agent pings the Api when it has nothing else to send.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The hub protocol: MessagePack (this agent's), or JSON, which agents before MessagePack spoke and the Api still
    /// accepts during a rolling upgrade (tests use it to prove that).
    /// </summary>
    public AgentHubProtocol Protocol { get; set; } = AgentHubProtocol.MessagePack;
}

/// <summary>SignalR hub protocols the Api accepts on <c>/hubs/agent</c>.</summary>
public enum AgentHubProtocol
{
    /// <summary>Binary; about a quarter fewer bytes per batch than JSON (README, ingest benchmark).</summary>
    MessagePack,

    /// <summary>Text, with Fleet's JSON conventions; what agents before MessagePack spoke.</summary>
    Json,
}
