using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Fleet.Contracts.Links.Kinds;

/// <summary>
/// Descriptors keyed by <see cref="LinkKind"/>, one per kind, added at start or by a test and never removed. Reads
/// take a snapshot without locking; <see cref="Register"/> swaps in a new one. Both halves of a kind use it: its
/// contract (<see cref="LinkKinds"/>) and the dashboard's editor.
/// </summary>
/// <typeparam name="TDescriptor">What is known per kind.</typeparam>
/// <param name="kindOf">The kind a descriptor describes.</param>
/// <param name="clashes">Another rule a new descriptor must keep (a unique wire name): the registered descriptor it
/// clashes with, or null.</param>
public sealed class KindRegistry<TDescriptor>(Func<TDescriptor, LinkKind> kindOf, Func<IReadOnlyList<TDescriptor>, TDescriptor, TDescriptor?>? clashes = null)
    where TDescriptor : class
{
    private readonly Lock _gate = new();
    private volatile Snapshot _snapshot = new([], FrozenDictionary<LinkKind, TDescriptor>.Empty);

    /// <summary>Every registered descriptor, in registration order.</summary>
    public IReadOnlyList<TDescriptor> All => _snapshot.Ordered;

    /// <summary>The descriptor of a registered kind.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The kind is not registered.</exception>
    public TDescriptor Of(LinkKind kind) =>
        _snapshot.ByKind.TryGetValue(kind, out var descriptor)
            ? descriptor
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, $"no {typeof(TDescriptor).Name} is registered for this kind");

    /// <summary>The descriptor of <paramref name="kind"/>; false when it is not registered.</summary>
    public bool TryGet(LinkKind kind, [NotNullWhen(true)] out TDescriptor? descriptor) => _snapshot.ByKind.TryGetValue(kind, out descriptor);

    /// <summary>
    /// Adds a descriptor. One of the same type for the same kind again does nothing (tests register theirs in every
    /// test class that needs it); another one for a registered kind, or one that clashes, is refused.
    /// </summary>
    /// <exception cref="InvalidOperationException">The kind is taken, or the descriptor clashes with a registered one.</exception>
    public void Register(TDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        lock (_gate)
        {
            var current = _snapshot;
            var kind = kindOf(descriptor);
            if (current.ByKind.TryGetValue(kind, out var registered))
            {
                if (registered.GetType() == descriptor.GetType())
                {
                    return;
                }

                throw new InvalidOperationException($"link kind {(int)kind} already has {registered.GetType().Name}");
            }

            if (clashes?.Invoke(current.Ordered, descriptor) is { } other)
            {
                throw new InvalidOperationException($"{descriptor.GetType().Name} clashes with the registered {other.GetType().Name}");
            }

            TDescriptor[] ordered = [.. current.Ordered, descriptor];
            _snapshot = new Snapshot(ordered, ordered.ToFrozenDictionary(kindOf));
        }
    }

    private sealed record Snapshot(IReadOnlyList<TDescriptor> Ordered, FrozenDictionary<LinkKind, TDescriptor> ByKind);
}
