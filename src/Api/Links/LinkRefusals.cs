using Fleet.Api.Common;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Links;

namespace Fleet.Api.Links;

/// <summary>
/// Why a link command refuses, worded once for every command that changes links (<see cref="LinkCommands"/>,
/// <c>LinkPairCommands</c>, <c>AggregatorSiteCommands</c>), so REST, the dashboard and the demo say the same thing.
/// </summary>
internal static class LinkRefusals
{
    /// <summary>An end of a pair changes with its pair only, and a site with its aggregator, so that the two sides never disagree.</summary>
    internal static CommandRefusal? PairEndRefusal(LinkEntity link) => link.PairId is { } pairId
        ? CommandRefusal.Conflict($"Link {link.Id} is one end of link pair {pairId}: change or delete the pair (/api/v1/link-pairs/{pairId}), which changes both ends.")
        : Aggregators.AggregatorGuards.SiteLinkRefusal(link);

    /// <summary>A decommissioned host takes no link, and a host takes only the kinds its agent reported it can run.</summary>
    internal static CommandRefusal? HostRefusal(HostEntity host, LinkKind kind)
    {
        if (host.DecommissionedAt is not null)
        {
            return CommandRefusal.Conflict($"Host '{host.Name}' is decommissioned.");
        }

        return LinkSpecChecks.CapabilityProblem(host, kind) is { } capability
            ? CommandRefusal.Unprocessable("The host cannot run this link", capability, "kind")
            : null;
    }

    /// <summary>A change's reason is kept in the policy history and the audit log: bounded, no control characters.</summary>
    internal static void CheckReason(string? reason, Dictionary<string, string[]> errors)
    {
        if (reason is not null && (reason.Length > LinkCommands.ReasonMaxLength || reason.Any(c => char.IsControl(c) && c != '\n')))
        {
            errors["reason"] = [$"must be at most {LinkCommands.ReasonMaxLength} characters without control characters"];
        }
    }

    internal static CommandRefusal LinkNotFound(Guid id) => CommandRefusal.NotFound($"Link {id}");

    internal static CommandRefusal NameConflict(HostEntity host, string name) =>
        CommandRefusal.Conflict($"Host '{host.Name}' already has a link named '{name}'.", "name");

    internal static CommandRefusal Stale(long currentGeneration) => new(
        RefusalKind.Stale,
        $"The link's spec changed meanwhile; it is now generation {currentGeneration}. GET it again, re-apply your change and send the new ETag.",
        CurrentVersion: currentGeneration);
}
