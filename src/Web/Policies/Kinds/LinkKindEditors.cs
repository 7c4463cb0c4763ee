using System.Diagnostics.CodeAnalysis;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Kinds;
using Fleet.Web.Policies.Kinds.Aggregator;
using Fleet.Web.Policies.Kinds.Bond;
using Fleet.Web.Policies.Kinds.Mptcp;
using Fleet.Web.Policies.Kinds.Striper;
using Fleet.Web.Policies.Kinds.Teql;

namespace Fleet.Web.Policies.Kinds;

/// <summary>
/// The registry of the dashboard's kind editors, one per kind of <see cref="LinkKinds"/>. The editor page and the
/// summary ask it instead of switching over <see cref="LinkKind"/>.
/// </summary>
public static class LinkKindEditors
{
    private static readonly KindRegistry<LinkKindEditor> s_registry = Create();

    /// <summary>Every registered editor.</summary>
    public static IReadOnlyList<LinkKindEditor> All => s_registry.All;

    /// <summary>The editor of a kind.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The kind has no editor.</exception>
    public static LinkKindEditor Of(LinkKind kind) => s_registry.Of(kind);

    /// <summary>The editor of <paramref name="kind"/>; false when it has none.</summary>
    public static bool TryGet(LinkKind kind, [NotNullWhen(true)] out LinkKindEditor? editor) => s_registry.TryGet(kind, out editor);

    /// <summary>Adds the editor of a kind (the same editor again does nothing).</summary>
    /// <exception cref="InvalidOperationException">The kind has another editor.</exception>
    public static void Register(LinkKindEditor editor) => s_registry.Register(editor);

    private static KindRegistry<LinkKindEditor> Create()
    {
        var registry = new KindRegistry<LinkKindEditor>(e => e.Kind);
        registry.Register(new BondEditor());
        registry.Register(new TeqlEditor());
        registry.Register(new MptcpEditor());
        registry.Register(new StriperEditor());
        registry.Register(new AggregatorEditor());
        return registry;
    }
}
