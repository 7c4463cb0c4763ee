using Fleet.Agent.Hub;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>A hand-made connection to <c>/hubs/agent</c> with some credential: says exactly what the test tells it to.</summary>
internal static class RawAgentConnection
{
    /// <summary>Connects as the agent's own connection does, in <paramref name="protocol"/> (MessagePack unless told).</summary>
    public static async Task<HubConnection> ConnectAsync(Uri server, string credential, AgentHubProtocol protocol = AgentHubProtocol.MessagePack)
    {
        var connection = AgentHubConnection.Build(
            new Uri(server, HubRoutes.Agent.TrimStart('/')),
            () => credential,
            new HubClientOptions { Protocol = protocol },
            NullLoggerFactory.Instance);
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    /// <summary>A minimal, valid hello.</summary>
    public static AgentHello Hello(string hostname) => new()
    {
        Hostname = hostname,
        AgentVersion = "test",
        KernelVersion = "test",
        Capabilities = AgentCapabilities.Of(LinkKind.Bond, LinkKind.Teql, LinkKind.Mptcp, LinkKind.Striper),
        Interfaces = [new InterfaceInventory("eth0", "ether", null, 1500, true, [])],
    };

    /// <summary>The credential stored by <c>fleet-agent enroll</c> in <paramref name="dataDirectory"/>.</summary>
    public static string CredentialOf(string dataDirectory)
    {
        using var identity = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dataDirectory, "identity.json")));
        return identity.RootElement.GetProperty("credential").GetString()!;
    }
}
