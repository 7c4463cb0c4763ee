using Fleet.Contracts.Links;

namespace Fleet.Agent.Backends;

/// <summary>The backends registered in this agent, by link kind (BackendRegistration.cs registers them).</summary>
public sealed class LinkBackends
{
    private readonly Dictionary<LinkKind, ILinkBackend> _byKind = [];

    /// <summary>Indexes <paramref name="backends"/>; a kind registered twice keeps the last registration.</summary>
    public LinkBackends(IEnumerable<ILinkBackend> backends)
    {
        foreach (var backend in backends)
        {
            _byKind[backend.Kind] = backend;
        }
    }

    /// <summary>Every registered backend.</summary>
    public IReadOnlyCollection<ILinkBackend> All => _byKind.Values;

    /// <summary>The backend for <paramref name="kind"/>, or null when this agent has none.</summary>
    public ILinkBackend? For(LinkKind kind) => _byKind.GetValueOrDefault(kind);
}
