using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Links;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Links.Aggregators;

/// <summary>
/// What <see cref="LinkCommands"/> refuses so that an aggregator and its sites never disagree: the two sides of a site
/// change only through <see cref="AggregatorSiteCommands"/>, and an aggregator's socket and network stay as its sites
/// dial and address them while it has any.
/// </summary>
internal static class AggregatorGuards
{
    /// <summary>A site's link is the Api's: it changes and goes with its aggregator's site.</summary>
    public static CommandRefusal? SiteLinkRefusal(LinkEntity link) => link.AggregatorId is { } aggregatorId
        ? CommandRefusal.Conflict(
            $"Link {link.Id} is site {link.Spec.Striper?.SiteId} of aggregator {aggregatorId}: remove it through DELETE /api/v1/links/{aggregatorId}/sites/{link.Spec.Striper?.SiteId}, which changes both sides.")
        : null;

    /// <summary>
    /// Why <paramref name="desired"/> may not replace <paramref name="current"/> (both with keys in clear): its sites
    /// differ (they are added and removed as sites), or it moves the socket or the network its sites use.
    /// </summary>
    public static CommandRefusal? ChangeRefusal(LinkSpec current, LinkSpec desired)
    {
        if (desired.Kind != LinkKind.Aggregator || current.Aggregator is not { } was)
        {
            return null;
        }

        if (!LinkSpecEquality.AreEquivalent(desired.Aggregator?.Sites ?? [], was.Sites))
        {
            return CommandRefusal.Conflict(
                "An aggregator's sites are added and removed through POST and DELETE /api/v1/links/{id}/sites, which change the site's link too; keep aggregator.sites as they are.",
                "aggregator.sites");
        }

        if (was.Sites.Count == 0)
        {
            return null;
        }

        var (from, to) = (current.Members[0], desired.Members[0]);
        var moved = from.Interface != to.Interface || from.Address != to.Address || from.LocalPort != to.LocalPort
            || was.PublicAddress != desired.Aggregator?.PublicAddress || !current.Addresses.SequenceEqual(desired.Addresses);
        return moved
            ? CommandRefusal.Conflict(
                $"The aggregator's {was.Sites.Count} site(s) dial its address and port and take their addresses from its network: remove them before you change its member, public address or addresses.",
                "members[0]")
            : null;
    }

    /// <summary>An aggregator with live sites is not deleted: its sites would be left dialing nothing.</summary>
    public static async Task<CommandRefusal?> DeleteRefusalAsync(FleetDbContext db, LinkEntity link, CancellationToken cancellationToken)
    {
        if (link.Kind != LinkKind.Aggregator)
        {
            return null;
        }

        var sites = await db.Links.CountAsync(l => l.AggregatorId == link.Id && l.DeletedAt == null, cancellationToken);
        return sites > 0
            ? CommandRefusal.Conflict($"Aggregator {link.Id} still has {sites} site(s): remove them first (DELETE /api/v1/links/{link.Id}/sites/{{siteId}}).")
            : null;
    }
}
