using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
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

        var events = rows.Take(limit).Select(x => ToRow(x.Event, x.HostName, x.LinkName)).ToList();
        return new EventPage(events, rows.Count > limit ? events[^1].Id : null);
    }

    public Task<IReadOnlyList<string>> GetKindsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(Enum.GetValues<AgentEventKind>().Select(EventKinds.Name).ToList());

    public async Task<IReadOnlyList<EventRow>> GetOpenProblemsAsync(Guid? hostId, Guid? linkId, CancellationToken cancellationToken)
    {
        var links = db.Links.AsNoTracking().Where(l => l.DeletedAt == null);
        if (hostId is { } host)
        {
            links = links.Where(l => l.HostId == host);
        }

        if (linkId is { } only)
        {
            links = links.Where(l => l.Id == only);
        }

        var openMembers = await db.Members.AsNoTracking()
            .Where(m => (m.Health == MemberHealth.Down || m.Health == MemberHealth.Degraded) && links.Any(l => l.Id == m.LinkId))
            .Select(m => new { m.LinkId, m.Interface })
            .ToListAsync(cancellationToken);
        var openLinks = await links
            .Where(l => s_notAsAsked.Contains(l.Phase))
            .Select(l => l.Id)
            .ToListAsync(cancellationToken);
        var linkIds = openMembers.Select(m => m.LinkId).Concat(openLinks).Distinct().ToList();
        if (linkIds.Count == 0)
        {
            return [];
        }

        // The newest event of each (link, member, kind) among the kinds that open a problem: at most a few rows a link.
        var newest = await db.Events.AsNoTracking()
            .Where(e => e.LinkId != null && linkIds.Contains(e.LinkId.Value) && s_problemKinds.Contains(e.Kind))
            .GroupBy(e => new { e.LinkId, e.Member, e.Kind })
            .Select(g => g.OrderByDescending(e => e.Time).ThenByDescending(e => e.Id).First())
            .ToListAsync(cancellationToken);
        var opened = new List<EventEntity>();
        foreach (var member in openMembers)
        {
            if (Newest(newest.Where(e => e.LinkId == member.LinkId && e.Member == member.Interface && s_memberProblems.Contains(e.Kind))) is { } e)
            {
                opened.Add(e);
            }
        }

        foreach (var link in openLinks)
        {
            if (Newest(newest.Where(e => e.LinkId == link && s_linkProblems.Contains(e.Kind))) is { } e)
            {
                opened.Add(e);
            }
        }

        var names = await db.Links.AsNoTracking()
            .Where(l => linkIds.Contains(l.Id))
            .Select(l => new { l.Id, LinkName = l.Name, l.HostId, HostName = l.Host!.Name })
            .ToDictionaryAsync(l => l.Id, cancellationToken);
        return [.. opened
            .OrderByDescending(e => e.Severity).ThenByDescending(e => e.Time)
            .Select(e => ToRow(e, names[e.LinkId!.Value].HostName, names[e.LinkId.Value].LinkName))];
    }

    /// <summary>The kinds that open a member's problem: it went down or degraded.</summary>
    private static readonly AgentEventKind[] s_memberProblems = [AgentEventKind.MemberDown, AgentEventKind.MemberDegraded];

    /// <summary>The kinds that open a link's problem: its change failed, was rolled back or drifted.</summary>
    private static readonly AgentEventKind[] s_linkProblems = [AgentEventKind.ApplyFailed, AgentEventKind.RolledBack, AgentEventKind.Drift];

    private static readonly AgentEventKind[] s_problemKinds = [.. s_memberProblems, .. s_linkProblems];

    /// <summary>The phases in which a link does not run what it was asked to (<see cref="LinkHealthRule.RolloutAsAsked"/>).</summary>
    private static readonly LinkPhase[] s_notAsAsked = [.. Enum.GetValues<LinkPhase>().Where(p => !LinkHealthRule.RolloutAsAsked(p))];

    private static EventRow ToRow(EventEntity e, string? hostName, string? linkName) =>
        new(e.Id, new DateTimeOffset(e.Time, TimeSpan.Zero), e.Severity, EventKinds.Name(e.Kind), e.HostId, hostName, e.LinkId, linkName, e.Member, e.Message);

    private static EventEntity? Newest(IEnumerable<EventEntity> events) =>
        events.OrderByDescending(e => e.Time).ThenByDescending(e => e.Id).FirstOrDefault();
}
