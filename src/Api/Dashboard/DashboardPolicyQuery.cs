using Fleet.Api.Data;
using Fleet.Api.Links;
using Fleet.Web.Policies;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>A link's policy and its revisions, newest first.</summary>
public sealed class DashboardPolicyQuery(FleetDbContext db, StriperKeyProtection keys) : IPolicyQuery
{
    /// <summary>Most revisions the editor lists.</summary>
    public const int MaxRevisions = 50;

    public async Task<PolicyDocument?> GetPolicyAsync(Guid linkId, CancellationToken cancellationToken)
    {
        var link = await db.Links.AsNoTracking()
            .Where(l => l.Id == linkId && l.DeletedAt == null)
            .Select(l => new { l.Id, l.HostId, HostName = l.Host!.Name, l.Spec, l.DesiredGeneration, l.ObservedGeneration, l.Phase, l.LastError })
            .SingleOrDefaultAsync(cancellationToken);
        if (link is null)
        {
            return null;
        }

        var revisions = await db.PolicyRevisions.AsNoTracking()
            .Where(r => r.LinkId == linkId)
            .OrderByDescending(r => r.Generation)
            .Take(MaxRevisions)
            .ToListAsync(cancellationToken);
        return new PolicyDocument(
            link.Id,
            link.HostId,
            link.HostName,
            keys.FromStorage(link.Spec),
            link.DesiredGeneration,
            link.ObservedGeneration,
            link.Phase,
            link.LastError,
            revisions.Select(r => new PolicyRevision(r.Generation, keys.FromStorage(r.Spec), new DateTimeOffset(r.CreatedAt, TimeSpan.Zero), r.Author)).ToList());
    }
}
