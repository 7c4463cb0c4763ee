using Fleet.Agent.Backends;
using Fleet.Agent.Backends.InMemory;
using Fleet.Agent.Events;
using Fleet.Agent.Hub;
using Fleet.Agent.Identity;
using Fleet.Agent.Inventory;
using Fleet.Agent.Queue;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.Runtime;
using Fleet.Agent.SpeedTests;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Support;

/// <summary>An agent runtime on a simulated host with a real disk queue, running until disposed.</summary>
internal sealed class TestAgent : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public TestAgent(AgentIdentity identity, string dataDirectory, TimeSpan interval, AgentHubProtocol protocol = AgentHubProtocol.MessagePack, ILinkSpeedTester? speedTester = null)
    {
        Host = new SimulatedHost("test-host", ["eth0", "eth1", "eth2"]);
        var backends = new LinkBackends(Enum.GetValues<LinkKind>().Select(kind => (ILinkBackend)new InMemoryBackend(kind, Host)));
        var events = new AgentEventLog(TimeProvider.System);
        Queue = DiskBatchQueue.Open(Path.Combine(dataDirectory, "queue"), identity.HostId);
        var reconciler = new Reconciler(backends, new FileLinkStateStore(dataDirectory), events, TimeProvider.System, NullLogger<Reconciler>.Instance);
        var options = new HubClientOptions { ReconnectMinDelay = TimeSpan.FromMilliseconds(100), ReconnectMaxDelay = TimeSpan.FromMilliseconds(500), Protocol = protocol };
        Hub = new AgentHubClient(identity, Queue, reconciler, new SimulatedInventory(Host, backends), options, TimeProvider.System, NullLoggerFactory.Instance, speedTester);
        Runtime = new AgentRuntime(identity, Queue, reconciler, Hub, events, new AgentRuntimeOptions { SampleInterval = interval }, TimeProvider.System, NullLogger<AgentRuntime>.Instance);
    }

    public SimulatedHost Host { get; }

    public DiskBatchQueue Queue { get; }

    public AgentHubClient Hub { get; }

    public AgentRuntime Runtime { get; }

    public void Start() => _run = Task.Run(() => Runtime.RunAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        await Hub.DisposeAsync();
        Runtime.Reconciler.Dispose();
        Queue.Dispose();
        _stop.Dispose();
    }
}
