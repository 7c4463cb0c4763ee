using Fleet.Agent.Hub;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Fleet.EndToEnd.Tests.Support;

/// <summary>A hand-made connection to <c>/hubs/agent</c> with some credential: says exactly what the test tells it to.</summary>
internal static class RawAgentConnection
{
    public static async Task<HubConnection> ConnectAsync(Uri server, string credential)
    {
        var factory = new WebSocketConnectionFactory(new Uri(server, HubRoutes.Agent.TrimStart('/')), () => credential);
        var options = new JsonHubProtocolOptions();
        FleetJson.Configure(options.PayloadSerializerOptions);
        var connection = new HubConnection(factory, new JsonHubProtocol(Options.Create(options)), new UriEndPoint(factory.Url), new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance);
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    /// <summary>A minimal, valid hello.</summary>
    public static AgentHello Hello(string hostname) => new()
    {
        Hostname = hostname,
        AgentVersion = "test",
        KernelVersion = "test",
        Capabilities = new AgentCapabilities(true, true, true, true),
        Interfaces = [new InterfaceInventory("eth0", "ether", null, 1500, true, [])],
    };

    /// <summary>The credential stored by <c>fleet-agent enroll</c> in <paramref name="dataDirectory"/>.</summary>
    public static string CredentialOf(string dataDirectory)
    {
        using var identity = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dataDirectory, "identity.json")));
        return identity.RootElement.GetProperty("credential").GetString()!;
    }
}
