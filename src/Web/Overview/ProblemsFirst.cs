using Fleet.Contracts.Links;

namespace Fleet.Web.Overview;

/// <summary>What a link or host on the overview needs most urgently, most urgent first (the order of the overview).</summary>
public enum Problem
{
    /// <summary>A link with no member up: it carries no traffic.</summary>
    Down,

    /// <summary>A link whose last change failed or was rolled back: it runs its previous generation.</summary>
    FailedRollout,

    /// <summary>A link that carries traffic with a member down or degraded, too much loss, or drift.</summary>
    Degraded,

    /// <summary>A host whose agent was not heard from recently (its links' health is unknown).</summary>
    Offline,

    /// <summary>Nothing that needs a look.</summary>
    None,
}

/// <summary>
/// The overview's one ordering rule, "problems first" (issue 19): hosts with a Down link, then a failed rollout, then a
/// Degraded link, then offline hosts, then the rest, by name within each; a host's links in the same order. The totals'
/// "failed rollouts" count uses <see cref="IsFailedRollout"/> too.
/// </summary>
public static class ProblemsFirst
{
    /// <summary>Orders hosts (and each host's links) by <see cref="Of(HostSummary)"/>, then by name.</summary>
    public static IComparer<HostSummary> Hosts { get; } = Comparer<HostSummary>.Create(CompareHosts);

    /// <summary>Whether the link's last change failed or was rolled back (its host runs the previous generation).</summary>
    public static bool IsFailedRollout(LinkPhase phase) => phase switch
    {
        LinkPhase.Failed or LinkPhase.RolledBack => true,
        LinkPhase.Pending or LinkPhase.Applying or LinkPhase.Applied or LinkPhase.Drifted => false,
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "unknown phase"),
    };

    /// <summary>The link's most urgent problem: Down before a failed rollout (a failed rollout is at least Degraded).</summary>
    public static Problem Of(LinkSummary link)
    {
        if (link.Health == LinkHealth.Down)
        {
            return Problem.Down;
        }

        if (IsFailedRollout(link.Phase))
        {
            return Problem.FailedRollout;
        }

        return link.Health switch
        {
            LinkHealth.Degraded => Problem.Degraded,
            LinkHealth.Healthy or LinkHealth.Unknown => Problem.None,
            LinkHealth.Down => Problem.Down,
            _ => throw new ArgumentOutOfRangeException(nameof(link), link.Health, "unknown health"),
        };
    }

    /// <summary>The most urgent problem of the host's links, or <see cref="Problem.Offline"/> for an offline host without worse.</summary>
    public static Problem Of(HostSummary host)
    {
        var worst = host.Online ? Problem.None : Problem.Offline;
        foreach (var link in host.Links)
        {
            var problem = Of(link);
            if (problem < worst)
            {
                worst = problem;
            }
        }

        return worst;
    }

    /// <summary>The host with its links in problems-first order.</summary>
    public static HostSummary WithLinksOrdered(HostSummary host) =>
        host.Links.Count < 2 ? host : host with { Links = [.. host.Links.OrderBy(Of).ThenBy(l => l.Name, StringComparer.Ordinal).ThenBy(l => l.Id)] };

    private static int CompareHosts(HostSummary? left, HostSummary? right)
    {
        if (left is null || right is null)
        {
            return left is null ? (right is null ? 0 : -1) : 1;
        }

        var byProblem = ((int)Of(left)).CompareTo((int)Of(right));
        if (byProblem != 0)
        {
            return byProblem;
        }

        var byName = StringComparer.OrdinalIgnoreCase.Compare(left.Name, right.Name);
        return byName != 0 ? byName : left.Id.CompareTo(right.Id);
    }
}
