using Fleet.Api.Data;
using Fleet.Contracts.Agents;
using Fleet.Web.Events;
using Fleet.Web.Formatting;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Dashboard;

/// <summary>The event log, newest first, paged by the time-ordered event id.</summary>
public sealed class DashboardEventQuery(FleetDbContext db) : IEventQuery
{
    public const int MaxLimit = 500;

    public async Task<EventPage> GetEventsAsync(EventFilter filter, CancellationToken cancellationToken)
    {
        var query = db.Events.AsNoTracking().AsQueryable();
        if (filter.HostId is { } hostId)
        {
            query = query.Where(e => e.HostId == hostId);
        }

        if (filter.LinkId is { } linkId)
        {
            query = query.Where(e => e.LinkId == linkId);
        }

        if (filter.MinimumSeverity is { } severity)
        {
            var severities = Enum.GetValues<EventSeverity>().Where(s => s >= severity).ToList();
            query = query.Where(e => severities.Contains(e.Severity));
        }

        if (filter.Kind is { } kindName && WireNames.Parse<AgentEventKind>(kindName) is { } kind)
        {
            query = query.Where(e => e.Kind == kind);
        }

        if (filter.From is { } from)
        {
            var fromUtc = from.UtcDateTime;
            query = query.Where(e => e.Time >= fromUtc);
        }

        if (filter.Before is { } before)
        {
            var beforeTime = await db.Events.AsNoTracking().Where(e => e.Id == before).Select(e => (DateTime?)e.Time).SingleOrDefaultAsync(cancellationToken);
            if (beforeTime is { } t)
            {
                query = query.Where(e => e.Time < t || (e.Time == t && e.Id.CompareTo(before) < 0));
            }
        }

        var joined = from e in query
                     join h in db.Hosts on e.HostId equals h.Id into hosts
                     from h in hosts.DefaultIfEmpty()
                     join l in db.Links on e.LinkId equals l.Id into links
                     from l in links.DefaultIfEmpty()
                     select new { Event = e, HostName = h == null ? null : h.Name, LinkName = l == null ? null : l.Name };

        if (filter.Search is { Length: > 0 } search)
        {
            var pattern = "%" + search.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            joined = joined.Where(x =>
                EF.Functions.Like(x.Event.Message, pattern, "\\")
                || (x.Event.Member != null && EF.Functions.Like(x.Event.Member, pattern, "\\"))
                || (x.HostName != null && EF.Functions.Like(x.HostName, pattern, "\\"))
                || (x.LinkName != null && EF.Functions.Like(x.LinkName, pattern, "\\")));
        }

        var limit = Math.Clamp(filter.Limit, 1, MaxLimit);
        var rows = await joined
            .OrderByDescending(x => x.Event.Time).ThenByDescending(x => x.Event.Id)
            .Take(limit + 1)
            .ToListAsync(cancellationToken);

        var events = rows.Take(limit).Select(x => new EventRow(
            x.Event.Id,
            new DateTimeOffset(x.Event.Time, TimeSpan.Zero),
            x.Event.Severity,
            EventKinds.Name(x.Event.Kind),
            x.Event.HostId,
            x.HostName,
            x.Event.LinkId,
            x.LinkName,
            x.Event.Member,
            x.Event.Message)).ToList();
        return new EventPage(events, rows.Count > limit ? events[^1].Id : null);
    }

    public Task<IReadOnlyList<string>> GetKindsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(Enum.GetValues<AgentEventKind>().Select(EventKinds.Name).ToList());
}
