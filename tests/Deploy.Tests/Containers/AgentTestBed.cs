using System.Globalization;
using System.Security.Cryptography;
using Fleet.Deploy.Tests.Infrastructure;
using Fleet.Striper.Tests.Integration;

namespace Fleet.Deploy.Tests.Containers;

/// <summary>
/// Two hosts for two agent containers: the striper tests' <see cref="NamespaceTopology"/> (namespaces A and B joined by
/// two veth paths routed through M), plus one control veth from each host to this machine's namespace, where the Api
/// container listens on the host network. Control addresses: this machine 169.254.N.1 / .5, host A .2, host B .6
/// (N random and unused here). Disposing removes the agent containers first (they keep a namespace alive), then the
/// namespaces, which takes their veths with them.
/// </summary>
internal sealed class AgentTestBed : IAsyncDisposable
{
    private readonly ContainerJanitor _janitor;

    private AgentTestBed(NamespaceTopology topology, ContainerJanitor janitor, int subnet)
    {
        Topology = topology;
        _janitor = janitor;
        Subnet = subnet;
        A = new AgentContainer(janitor.Container("agent-a"), janitor.Volume("agent-a"), topology.A, $"{janitor.Prefix}-a");
        B = new AgentContainer(janitor.Container("agent-b"), janitor.Volume("agent-b"), topology.B, $"{janitor.Prefix}-b");
    }

    public NamespaceTopology Topology { get; }

    public AgentContainer A { get; }

    public AgentContainer B { get; }

    private int Subnet { get; }

    /// <summary>This machine's address as host A (<paramref name="forA"/>) or host B sees it.</summary>
    public string ControlAddress(bool forA) => string.Create(CultureInfo.InvariantCulture, $"169.254.{Subnet}.{(forA ? 1 : 5)}");

    public static async Task<AgentTestBed> CreateAsync(ContainerJanitor janitor)
    {
        var topology = await NamespaceTopology.CreateAsync(2);
        try
        {
            var subnet = await FreeLinkLocalSubnetAsync();
            var bed = new AgentTestBed(topology, janitor, subnet);
            await bed.AddControlPathAsync(topology.A, 1, "a");
            await bed.AddControlPathAsync(topology.B, 5, "b");
            return bed;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _janitor.DisposeAsync();
        await Topology.DisposeAsync();
    }

    private static async Task<int> FreeLinkLocalSubnetAsync()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var subnet = RandomNumberGenerator.GetInt32(1, 255);
            var used = await ExternalProcess.RunAsync("ip", ["-o", "-4", "addr", "show", "to", $"169.254.{subnet}.0/24"], TimeSpan.FromSeconds(30));
            if (used.ExitCode == 0 && used.StandardOutput.Trim().Length == 0)
            {
                return subnet;
            }
        }

        throw new InvalidOperationException("no free 169.254.N.0/24 on this machine");
    }

    /// <summary>A veth from this machine (<c>&lt;topology prefix&gt;c&lt;role&gt;</c>, first address) to <c>ctl</c> in the host (next address), /30.</summary>
    private async Task AddControlPathAsync(string ns, int first, string role)
    {
        var local = $"{Topology.M[..^1]}c{role}";
        var here = string.Create(CultureInfo.InvariantCulture, $"169.254.{Subnet}.{first}/30");
        var there = string.Create(CultureInfo.InvariantCulture, $"169.254.{Subnet}.{first + 1}/30");
        await MustAsync("ip", "link", "add", local, "type", "veth", "peer", "name", "ctl", "netns", ns);
        await MustAsync("ip", "addr", "add", here, "dev", local);
        await MustAsync("ip", "link", "set", local, "up");
        await MustAsync("ip", "-n", ns, "addr", "add", there, "dev", "ctl");
        await MustAsync("ip", "-n", ns, "link", "set", "ctl", "up");
    }

    private static async Task MustAsync(params string[] command)
    {
        var result = await ExternalProcess.RunAsync(command[0], command[1..], TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, result.Describe(string.Join(' ', command)));
    }
}
