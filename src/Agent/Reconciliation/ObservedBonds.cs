using Fleet.Contracts.Agents;

namespace Fleet.Agent.Reconciliation;

/// <summary>
/// The last <see cref="ObservedBond"/> of each bond in force, which the link's state carries to the Api. Speeds, LACP
/// aggregation and the link monitor change rarely, so the state is reported again only when one of them changed, not
/// with every sample.
/// </summary>
internal sealed class ObservedBonds
{
    private readonly Lock _lock = new();
    private Dictionary<Guid, ObservedBond> _last = [];

    /// <summary>Takes one round of observations; returns the links whose bond report changed (new ones included).</summary>
    public List<Guid> Update(IReadOnlyList<ObservedLink> observed)
    {
        var next = new Dictionary<Guid, ObservedBond>();
        var changed = new List<Guid>();
        lock (_lock)
        {
            foreach (var link in observed)
            {
                if (link.Observation.Bond is not { } bond)
                {
                    continue;
                }

                next[link.LinkId] = bond;
                if (!_last.TryGetValue(link.LinkId, out var before) || !before.Equals(bond))
                {
                    changed.Add(link.LinkId);
                }
            }

            _last = next;
        }

        return changed;
    }

    /// <summary><paramref name="state"/> with its link's last bond report, if it has one.</summary>
    public ObservedLinkState With(ObservedLinkState state) => Of(state.LinkId) is { } bond ? state with { Bond = bond } : state;

    /// <summary>The last bond report of <paramref name="linkId"/>; null when it is not a bond in force.</summary>
    public ObservedBond? Of(Guid linkId)
    {
        lock (_lock)
        {
            return _last.GetValueOrDefault(linkId);
        }
    }
}
