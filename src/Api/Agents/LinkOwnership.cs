using System.Collections.Concurrent;
using Fleet.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Agents;

/// <summary>
/// Which host each link belongs to, cached: a link never moves to another host, so an entry never goes stale (deleted
/// links keep their row and owner). Lets the agent hub check every sample of every batch against the caller's host
/// without a database round trip.
/// </summary>
public sealed class LinkOwnership(IDbContextFactory<FleetDbContext> contexts)
{
    private readonly ConcurrentDictionary<Guid, Guid> _owners = new();

    /// <summary>The owning host of each link in <paramref name="linkIds"/>; unknown links are absent from the answer.</summary>
    public async ValueTask<IReadOnlyDictionary<Guid, Guid>> OwnersAsync(IReadOnlyCollection<Guid> linkIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<Guid, Guid>(linkIds.Count);
        List<Guid>? missing = null;
        foreach (var id in linkIds)
        {
            if (_owners.TryGetValue(id, out var host))
            {
                result[id] = host;
            }
            else
            {
                (missing ??= []).Add(id);
            }
        }

        if (missing is null)
        {
            return result;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await db.Links.AsNoTracking()
            .Where(l => missing.Contains(l.Id))
            .Select(l => new { l.Id, l.HostId })
            .ToListAsync(cancellationToken);
        foreach (var link in found)
        {
            _owners[link.Id] = link.HostId;
            result[link.Id] = link.HostId;
        }

        return result;
    }

    /// <summary>Records a link's owner (links created while the Api runs).</summary>
    public void Remember(Guid linkId, Guid hostId) => _owners[linkId] = hostId;
}
