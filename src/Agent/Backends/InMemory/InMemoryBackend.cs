using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends.InMemory;

/// <summary>
/// A backend for one link kind that drives a <see cref="SimulatedHost"/> instead of the kernel: deterministic, fast,
/// and with the same contract as the real backends (idempotent applies, failures as results, drift reported).
/// </summary>
public sealed class InMemoryBackend(LinkKind kind, SimulatedHost host) : ILinkBackend
{
    /// <inheritdoc />
    public LinkKind Kind { get; } = kind;

    /// <inheritdoc />
    public BackendAvailability CheckAvailability() => host.Availability(Kind);

    /// <inheritdoc />
    public Task<ApplyResult> ApplyAsync(LinkSpec? current, LinkSpec desired, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(desired.Kind != Kind
            ? ApplyResult.Failed($"the {Kind} backend cannot apply a {desired.Kind} link")
            : host.Apply(Kind, current, desired));
    }

    /// <inheritdoc />
    public Task<ApplyResult> RemoveAsync(LinkSpec current, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(host.Remove(current));
    }

    /// <inheritdoc />
    /// <remarks>The simulated host models a link and its device as one thing, so releasing it ends the link as removing does.</remarks>
    public Task<ApplyResult> ReleaseAsync(LinkSpec current, CancellationToken cancellationToken) => RemoveAsync(current, cancellationToken);

    /// <inheritdoc />
    public Task<LinkObservation> ObserveAsync(LinkSpec applied, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(host.Observe(applied));
    }
}
