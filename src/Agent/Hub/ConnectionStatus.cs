namespace Fleet.Agent.Hub;

/// <summary>Where the agent's connection to the Api stands.</summary>
public enum HubConnectionStatus
{
    /// <summary>Not connected; waiting to retry.</summary>
    Disconnected,

    /// <summary>Connecting or saying hello.</summary>
    Connecting,

    /// <summary>Connected: hello done, batches flowing.</summary>
    Connected,
}

/// <summary>The connection's state for status output.</summary>
/// <param name="State">Connected or not.</param>
/// <param name="Since">When the state last changed.</param>
/// <param name="FailedAttempts">Attempts since the last stable connection.</param>
/// <param name="LastError">Why the last attempt or connection failed.</param>
public sealed record ConnectionStatus(HubConnectionStatus State, DateTimeOffset Since, int FailedAttempts, string? LastError = null);
