using Fleet.Agent.Backends.Kernel;
using Fleet.Striper.Engine;

namespace Fleet.Agent.Backends.Striper;

/// <summary>
/// The striper endpoints a backend runs in the agent's process, one per link by name (the striper backend's engines,
/// the aggregator backend's aggregators), in the backend's <see cref="KernelContext"/>. One gate serialises applying,
/// removing and observing, so an observation never reads an endpoint being replaced; stopping an endpoint disposes it,
/// which closes (and so deletes) its TUN device.
/// </summary>
internal sealed class HostedEngines<TEngine>(KernelContext context) : IDisposable
    where TEngine : class, IDisposable
{
    private const string TunDevice = "/dev/net/tun";
    private readonly Dictionary<string, TEngine> _engines = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Whether this host can run a striper endpoint: it needs the TUN device.</summary>
    public static BackendAvailability Availability() => File.Exists(TunDevice)
        ? BackendAvailability.Yes
        : BackendAvailability.No($"{TunDevice} is missing (a kernel without TUN, or a container started without the device)");

    /// <summary>An endpoint's failure to start or change, in the kernel's or the validator's words with its cause's.</summary>
    public static string Describe(Exception ex) => ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;

    /// <summary>Options that start an endpoint in the context's namespace, telling <paramref name="healthChanges"/> of every path state change.</summary>
    public StriperEngineOptions Options(HealthChangeSignal? healthChanges) => new()
    {
        NetworkNamespacePath = context.Namespace is null ? null : $"/run/netns/{context.Namespace}",
        PathStateChanged = healthChanges is null ? null : (_, _) => healthChanges.Notify(),
    };

    /// <summary>Enters the gate; disposing the result leaves it. <see cref="Running"/>, <see cref="Run"/> and <see cref="Stop"/> are called inside.</summary>
    public async Task<Gate> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Gate(_gate);
    }

    /// <summary>The endpoint running for <paramref name="name"/> (inside the gate).</summary>
    public TEngine? Running(string name) => _engines.GetValueOrDefault(name);

    /// <summary>Records <paramref name="engine"/> as <paramref name="name"/>'s (inside the gate, after <see cref="Stop"/>).</summary>
    public void Run(string name, TEngine engine) => _engines[name] = engine;

    /// <summary>Stops <paramref name="name"/>'s endpoint (inside the gate); false when none ran.</summary>
    public bool Stop(string name)
    {
        if (!_engines.Remove(name, out var engine))
        {
            return false;
        }

        engine.Dispose();
        return true;
    }

    /// <summary>The endpoint running for <paramref name="name"/>, read through the gate.</summary>
    public async Task<TEngine?> FindAsync(string name, CancellationToken cancellationToken)
    {
        using var _ = await EnterAsync(cancellationToken);
        return Running(name);
    }

    /// <summary>The endpoint running for <paramref name="name"/>, read through the gate, blocking (tests and diagnostics).</summary>
    public TEngine? Find(string name)
    {
        _gate.Wait();
        try
        {
            return Running(name);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var engine in _engines.Values)
        {
            engine.Dispose();
        }

        _engines.Clear();
        _gate.Dispose();
    }

    /// <summary>The gate, held until disposed.</summary>
    public readonly struct Gate(SemaphoreSlim gate) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => gate.Release();
    }
}
