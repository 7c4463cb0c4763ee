using System.Net;
using System.Security.Cryptography;
using Fleet.Agent.Identity;
using Fleet.Agent.Tests.Backends.Kernel;

namespace Fleet.Agent.Tests.Support;

/// <summary>
/// A network namespace that plays a host for a real <c>fleet-agent run</c> process: the agent runs inside it (its
/// kernel backends act on the namespace as on a host), reaches the test hub over a veth to the initial namespace
/// (<c>up0</c> inside, a /30 of a random 172.30.x.y block so parallel runs do not collide), and has a data directory
/// with an identity for that hub. Everything goes with the namespace on dispose.
/// </summary>
internal sealed class AgentNamespace : IAsyncDisposable
{
    private AgentNamespace(TestNetwork network, string ns, IPAddress hubAddress, TempDirectory data)
    {
        Network = network;
        Name = ns;
        HubAddress = hubAddress;
        Data = data;
    }

    public TestNetwork Network { get; }

    /// <summary>The namespace the agent runs in.</summary>
    public string Name { get; }

    /// <summary>The initial namespace's end of the uplink, where the test hub listens.</summary>
    public IPAddress HubAddress { get; }

    public TempDirectory Data { get; }

    public static async Task<AgentNamespace> CreateAsync(string kind)
    {
        var network = TestNetwork.Create(kind);
        var data = new TempDirectory();
        try
        {
            var ns = await network.AddNamespaceAsync("h");
            var random = RandomNumberGenerator.GetBytes(2);
            var block = $"172.30.{random[0]}.{random[1] & 0xFC}";
            var hub = IPAddress.Parse(block[..block.LastIndexOf('.')] + "." + ((random[1] & 0xFC) + 1));
            var agent = block[..block.LastIndexOf('.')] + "." + ((random[1] & 0xFC) + 2);
            var root = network.Prefix + "r";
            await network.MustAsync("ip", "link", "add", root, "type", "veth", "peer", "name", "up0", "netns", ns);
            await network.MustAsync("ip", "addr", "add", $"{hub}/30", "dev", root);
            await network.MustAsync("ip", "link", "set", root, "up");
            await network.AddAddressAsync(ns, "up0", $"{agent}/30");
            await network.MustAsync("ip", "-n", ns, "link", "set", "up0", "up");
            return new AgentNamespace(network, ns, hub, data);
        }
        catch
        {
            await network.DisposeAsync();
            data.Dispose();
            throw;
        }
    }

    /// <summary>Writes the identity of host <paramref name="hostId"/> for the hub at <paramref name="hub"/>.</summary>
    public void Enroll(Uri hub, Guid hostId, string credential) =>
        new IdentityStore(Data.Path).Save(new AgentIdentity(hub, hostId, credential, DateTimeOffset.UtcNow));

    /// <summary>
    /// Starts <c>fleet-agent run</c> in the namespace (PATH <paramref name="path"/> when given); the test hub speaks plain
    /// http://, so that is allowed explicitly.
    /// </summary>
    public AgentProcess StartAgent(string? path = null) => AgentProcess.StartIn(
        Name, path, "run", "--data-dir", Data.Path, "--config", Data.Combine("absent.json"), "--interval", "500ms", "--reconnect-max-delay", "1s", "--allow-insecure-http");

    /// <summary>Runs a command in the namespace; fails the test when it fails.</summary>
    public Task<Fleet.Agent.Processes.CommandResult> InAsync(params string[] command) => Network.InAsync(Name, command);

    public async ValueTask DisposeAsync()
    {
        await Network.DisposeAsync();
        Data.Dispose();
    }
}
