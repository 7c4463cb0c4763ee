namespace Fleet.Agent.Backends.InMemory;

/// <summary>
/// <see cref="IHostState"/> of a simulated host: it has no routes or interface state beyond its links, which the
/// in-memory backends restore themselves, so a capture is empty and restoring it changes nothing.
/// </summary>
public sealed class SimulatedHostState : IHostState
{
    /// <inheritdoc />
    public Task<HostSnapshot> CaptureAsync(IReadOnlyCollection<string> interfaces, CancellationToken cancellationToken) => Task.FromResult(HostSnapshot.Empty);

    /// <inheritdoc />
    public Task<string?> RestoreAsync(HostSnapshot snapshot, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
