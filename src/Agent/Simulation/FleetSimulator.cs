using System.Globalization;
using Fleet.Agent.Backends;
using Fleet.Agent.Backends.InMemory;
using Fleet.Agent.Cli;
using Fleet.Agent.Enrollment;
using Fleet.Agent.Events;
using Fleet.Agent.Hub;
using Fleet.Agent.Identity;
using Fleet.Agent.Inventory;
using Fleet.Agent.Queue;
using Fleet.Agent.Reconciliation;
using Fleet.Agent.Runtime;
using Fleet.Agent.Storage;
using Fleet.Contracts.Links;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Simulation;

/// <summary>One simulated host and its agent.</summary>
/// <param name="Name">Host name.</param>
/// <param name="Identity">Its enrolled identity.</param>
/// <param name="Host">The in-memory host its backends drive.</param>
/// <param name="Runtime">The agent (a real hub connection).</param>
public sealed record SimulatedAgent(string Name, AgentIdentity Identity, SimulatedHost Host, AgentRuntime Runtime);

/// <summary>Totals over a simulated fleet.</summary>
public sealed record FleetStats(
    int Agents,
    int Connected,
    long SamplesProduced,
    long BatchesSent,
    long BatchesAcknowledged,
    long SamplesAcknowledged,
    long DuplicateAcknowledgements,
    long RejectedBatches,
    long PendingBatches,
    long DroppedBatches);

/// <summary>
/// Many agents in one process, each a real SignalR connection with its own enrolled credential, driving an in-memory
/// <see cref="SimulatedHost"/> with realistic traffic (<c>fleet-agent simulate</c>, the Api's <c>--demo</c>, the
/// benchmarks). Queues and link state are in memory: a simulated host does not outlive the process.
/// </summary>
public sealed partial class FleetSimulator(FleetSimulatorOptions options, ILoggerFactory loggerFactory, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = loggerFactory.CreateLogger<FleetSimulator>();
    private readonly List<SimulatedAgent> _agents = [];

    /// <summary>The fleet.</summary>
    public IReadOnlyList<SimulatedAgent> Agents => _agents;

    /// <summary>
    /// Enrolls the hosts not yet known (identities from <see cref="FleetSimulatorOptions.IdentityFile"/> are reused) and
    /// creates their agents. Returns how many enrolled now.
    /// </summary>
    public async Task<int> EnrollAsync(string token, CancellationToken cancellationToken)
    {
        RefuseInsecure(options.Server);
        var known = LoadIdentities();
        var names = Enumerable.Range(1, options.Agents).Select(HostName).ToList();
        var missing = names.Where(name => !known.ContainsKey(name)).ToList();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var client = new EnrollmentClient(http);
        var failures = new List<string>();
        await Parallel.ForEachAsync(
            missing,
            new ParallelOptions { MaxDegreeOfParallelism = options.EnrollConcurrency, CancellationToken = cancellationToken },
            async (name, ct) =>
            {
                var result = await client.EnrollWithRetryAsync(options.Server, new EnrollRequest(token, name, name), 60, _time, ct);
                lock (known)
                {
                    if (result.Response is { } response)
                    {
                        known[name] = new AgentIdentity(options.Server, response.HostId, response.Credential, _time.GetUtcNow(), name);
                    }
                    else
                    {
                        failures.Add($"{name}: {result.Error}");
                    }
                }
            });
        SaveIdentities(known);
        if (failures.Count > 0)
        {
            throw new InvalidOperationException($"{failures.Count} of {missing.Count} enrollments failed; first: {failures[0]}");
        }

        foreach (var name in names)
        {
            Add(name, known[name]);
        }

        LogEnrolled(missing.Count, names.Count - missing.Count);
        return missing.Count;
    }

    /// <summary>Adds a host whose identity exists already (the demo enrolls through its own services).</summary>
    public SimulatedAgent Add(string name, AgentIdentity identity)
    {
        RefuseInsecure(identity.ServerUrl);
        var index = _agents.Count;
        var host = new SimulatedHost(
            name,
            Enumerable.Range(0, options.Members).Select(i => $"eth{i}"),
            new SimulatedHostOptions { Seed = options.Seed + index, MemberFailuresPerHour = options.MemberFailuresPerHour },
            _time);
        var healthChanges = new HealthChangeSignal();
        host.HealthChanged = healthChanges.Notify;
        var backends = new LinkBackends(Enum.GetValues<LinkKind>().Select(kind => (ILinkBackend)new InMemoryBackend(kind, host)));
        var events = new AgentEventLog(_time);
        var queue = new InMemoryBatchQueue();
        var reconciler = new Reconciler(backends, new InMemoryLinkStateStore(), events, _time, loggerFactory.CreateLogger<Reconciler>());
        var hub = new AgentHubClient(identity, queue, reconciler, new SimulatedInventory(host, backends), options.Hub, _time, loggerFactory);
        var runtime = new AgentRuntime(identity, queue, reconciler, hub, events, new AgentRuntimeOptions { SampleInterval = options.Interval }, _time, loggerFactory.CreateLogger<AgentRuntime>(), healthChanges);
        var agent = new SimulatedAgent(name, identity, host, runtime);
        _agents.Add(agent);
        return agent;
    }

    /// <summary>Throws before a token or credential goes to an <c>http://</c> server that was not allowed.</summary>
    private void RefuseInsecure(Uri server)
    {
        if (InsecureHttp.Refusal(server, options.AllowInsecureHttp) is { } refusal)
        {
            throw new ArgumentException(refusal, nameof(server));
        }
    }

    /// <summary>Turns sampling on or off on every agent (see <see cref="AgentRuntime.SamplingEnabled"/>).</summary>
    public void SetSampling(bool enabled)
    {
        foreach (var agent in _agents)
        {
            agent.Runtime.SamplingEnabled = enabled;
        }
    }

    /// <summary>Turns sampling at once on a health change on or off on every agent (see <see cref="AgentRuntime.PushHealthChanges"/>).</summary>
    public void SetHealthPush(bool enabled)
    {
        foreach (var agent in _agents)
        {
            agent.Runtime.PushHealthChanges = enabled;
        }
    }

    /// <summary>Waits until no agent has an unacknowledged batch; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitForDrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _time.GetTimestamp();
        while (Stats().PendingBatches > 0)
        {
            if (_time.GetElapsedTime(deadline) > timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), _time, cancellationToken);
        }

        return true;
    }

    /// <summary>Runs every agent until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var runs = _agents.Select(agent => Task.Run(() => agent.Runtime.RunAsync(cancellationToken), CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(runs);
        }
        finally
        {
            foreach (var agent in _agents)
            {
                await agent.Runtime.Hub.DisposeAsync();
                agent.Runtime.Reconciler.Dispose();
            }
        }
    }

    /// <summary>The identities kept in <paramref name="path"/> (see <see cref="FleetSimulatorOptions.IdentityFile"/>); empty when there is none.</summary>
    public static IReadOnlyList<AgentIdentity> ReadIdentityFile(string path) =>
        File.Exists(path) ? AtomicFile.ReadJson<AgentIdentity[]>(path) ?? [] : [];

    /// <summary>Totals now.</summary>
    public FleetStats Stats()
    {
        int connected = 0;
        long produced = 0, sent = 0, acknowledged = 0, samplesAcknowledged = 0, duplicates = 0, rejected = 0, pending = 0, dropped = 0;
        foreach (var agent in _agents)
        {
            var runtime = agent.Runtime;
            connected += runtime.Hub.Status.State == HubConnectionStatus.Connected ? 1 : 0;
            produced += runtime.SamplesProduced;
            sent += runtime.Hub.BatchesSent;
            acknowledged += runtime.Hub.BatchesAcknowledged;
            samplesAcknowledged += runtime.Hub.SamplesAcknowledged;
            duplicates += runtime.Hub.Duplicates;
            rejected += runtime.Hub.Rejected;
            var stats = runtime.Queue.Stats;
            pending += stats.PendingBatches;
            dropped += stats.DroppedBatches;
        }

        return new FleetStats(_agents.Count, connected, produced, sent, acknowledged, samplesAcknowledged, duplicates, rejected, pending, dropped);
    }

    private string HostName(int index) => string.Create(CultureInfo.InvariantCulture, $"{options.NamePrefix}-{index:000}");

    private Dictionary<string, AgentIdentity> LoadIdentities()
    {
        if (options.IdentityFile is not { } path)
        {
            return new Dictionary<string, AgentIdentity>(StringComparer.Ordinal);
        }

        var stored = AtomicFile.ReadJson<AgentIdentity[]>(path) ?? [];
        return stored
            .Where(identity => identity.Name is not null && identity.ServerUrl == options.Server)
            .ToDictionary(identity => identity.Name!, StringComparer.Ordinal);
    }

    private void SaveIdentities(Dictionary<string, AgentIdentity> identities)
    {
        if (options.IdentityFile is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            AtomicFile.WriteJson(path, identities.Values.OrderBy(identity => identity.Name, StringComparer.Ordinal).ToArray(), AtomicFile.OwnerOnly);
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Simulated fleet: {Enrolled} hosts enrolled now, {Reused} reused")]
    private partial void LogEnrolled(int enrolled, int reused);
}
