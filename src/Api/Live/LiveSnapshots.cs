using Fleet.Api.Dashboard;
using Fleet.Api.Data;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Live;

/// <summary>
/// What a new subscription starts from: the link's state from its row and its recent past from the ring buffer,
/// which the first subscriber of a link fills from the raw samples table (later ones wait for that load).
/// </summary>
internal sealed class LiveSnapshots(LiveFeeds feeds, IDbContextFactory<FleetDbContext> contexts, TimeProvider time)
{
    /// <summary>Subscribes a connection to a link with a view (null: every member) and returns the snapshot, as the view selects it.</summary>
    public async Task<LinkLiveSnapshot> SubscribeLinkAsync(string connectionId, Guid linkId, LiveLinkView? view, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var link = await db.Links.AsNoTracking().Include(l => l.Members).Where(l => l.Id == linkId && l.DeletedAt == null).SingleOrDefaultAsync(cancellationToken)
            ?? throw new HubException($"link {linkId} does not exist");
        var feed = feeds.LinkFeed(linkId, link.HostId);
        feed.OwnMembers = link.Members.Select(m => m.Interface).ToHashSet(StringComparer.Ordinal);
        feeds.SubscribeLink(connectionId, feed, view);
        var recent = await RecentAsync(feed, db, cancellationToken);
        return new LinkLiveSnapshot { LinkId = linkId, State = LiveFanout.ToState(link), Samples = view is null ? recent : Selected(feed, view, recent) };
    }

    // The sums first: they are in time order already, and the members' samples after them keep theirs by a stable sort.
    private static List<MemberSample> Selected(LinkFeed feed, LiveLinkView view, IReadOnlyList<MemberSample> recent)
    {
        var sums = view.AllSites ? AggregatorSitesSeries.Live(feed.LinkId, recent, [.. feed.OwnMembers]) : [];
        return [.. LiveSelection.Select(view, feed.OwnMembers, recent, sums).OrderBy(s => s.Time)];
    }

    /// <summary>Subscribes a connection to every link of a host and returns their snapshots.</summary>
    public async Task<HostLiveSnapshot> SubscribeHostAsync(string connectionId, Guid hostId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Hosts.AnyAsync(h => h.Id == hostId, cancellationToken))
        {
            throw new HubException($"host {hostId} does not exist");
        }

        feeds.SubscribeHost(connectionId, hostId);
        var links = await db.Links.AsNoTracking().Where(l => l.HostId == hostId && l.DeletedAt == null).OrderBy(l => l.Name).ToListAsync(cancellationToken);
        var snapshots = new List<LinkLiveSnapshot>(links.Count);
        foreach (var link in links)
        {
            var feed = feeds.LinkFeed(link.Id, hostId);
            snapshots.Add(new LinkLiveSnapshot { LinkId = link.Id, State = LiveFanout.ToState(link), Samples = await RecentAsync(feed, db, cancellationToken) });
        }

        return new HostLiveSnapshot { HostId = hostId, Links = snapshots };
    }

    private async Task<IReadOnlyList<MemberSample>> RecentAsync(LinkFeed feed, FleetDbContext db, CancellationToken cancellationToken)
    {
        feed.LastWatched = time.GetTimestamp();
        if (feed.TryClaimLoad())
        {
            try
            {
                var since = UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime.AddMinutes(-LiveLimits.RingBufferMinutes));
                var rows = await db.Samples.AsNoTracking().Where(s => s.LinkId == feed.LinkId && s.Time >= since).OrderBy(s => s.Time).ToListAsync(cancellationToken);
                feed.Ring.Add(rows.Select(row => row.ToSample()));
                feed.Loaded.TrySetResult();
            }
            catch (Exception ex)
            {
                feed.Loaded.TrySetException(ex);
                feeds.ForgetLinkFeed(feed.LinkId);
                throw;
            }
        }

        await feed.Loaded.Task.WaitAsync(cancellationToken);
        return feed.Ring.Snapshot();
    }
}
