using System.Diagnostics.CodeAnalysis;

namespace Fleet.Contracts.Links.Kinds;

/// <summary>
/// The registry of link kinds: one <see cref="LinkKindDescriptor"/> per kind. Validation, capabilities and the
/// agent's hello ask it instead of switching over <see cref="LinkKind"/>, so a new kind is its descriptor (plus its
/// backend and its editor) and nothing scattered. The five shipped kinds are always registered; <see cref="Register"/>
/// adds another (a test's). Adding a kind: docs/architecture.md, "Link kinds".
/// </summary>
public static class LinkKinds
{
    private static readonly KindRegistry<LinkKindDescriptor> s_registry = Create();

    /// <summary>Every registered kind, in registration order (the shipped kinds first).</summary>
    public static IReadOnlyList<LinkKindDescriptor> All => s_registry.All;

    /// <summary>The descriptor of a registered kind.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The kind is not registered.</exception>
    public static LinkKindDescriptor Of(LinkKind kind) => s_registry.Of(kind);

    /// <summary>The descriptor of <paramref name="kind"/>; false when it is not registered.</summary>
    public static bool TryGet(LinkKind kind, [NotNullWhen(true)] out LinkKindDescriptor? descriptor) => s_registry.TryGet(kind, out descriptor);

    /// <summary>The descriptor whose <see cref="LinkKindDescriptor.WireName"/> is <paramref name="wireName"/>, if any.</summary>
    public static LinkKindDescriptor? ByWireName(string wireName) =>
        s_registry.All.FirstOrDefault(d => string.Equals(d.WireName, wireName, StringComparison.Ordinal));

    /// <summary>Adds a kind; its value and its wire name must be free (the same descriptor again does nothing).</summary>
    /// <exception cref="InvalidOperationException">The kind or its wire name is taken.</exception>
    public static void Register(LinkKindDescriptor descriptor) => s_registry.Register(descriptor);

    private static KindRegistry<LinkKindDescriptor> Create()
    {
        var registry = new KindRegistry<LinkKindDescriptor>(
            d => d.Kind,
            (registered, added) => registered.FirstOrDefault(d => string.Equals(d.WireName, added.WireName, StringComparison.Ordinal)));
        registry.Register(new BondKind());
        registry.Register(new TeqlKind());
        registry.Register(new MptcpKind());
        registry.Register(new StriperKind());
        registry.Register(new AggregatorKind());
        return registry;
    }
}
