using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Events;

/// <summary>Events agents reported: newest first, filtered by host, link, kind, severity and time.</summary>
public static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/events", ListAsync)
            .WithTags("Events")
            .WithName("ListEvents")
            .WithSummary("List events, newest first; filter by hostId, linkId, kind, severity, from and to (event time).");
        return api;
    }

    internal static EventDto ToDto(EventEntity e) => new()
    {
        Id = e.Id,
        Time = e.Time,
        HostId = e.HostId,
        LinkId = e.LinkId,
        Member = e.Member,
        Kind = e.Kind,
        Severity = e.Severity,
        Message = e.Message,
    };

    private static async Task<Results<Ok<Page<EventDto>>, ValidationProblem>> ListAsync(
        [AsParameters] EventListQuery query, [AsParameters] PageQuery paging, FleetDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var page = paging.Parse(errors);
        var kindFilter = WireEnum.Parse<AgentEventKind>(query.Kind, "kind", errors);
        var severityFilter = WireEnum.Parse<EventSeverity>(query.Severity, "severity", errors);
        QueryTime.Check(query.From, "from", errors);
        QueryTime.Check(query.To, "to", errors);
        if (query.From is { } f && query.To is { } t && f >= t)
        {
            errors["from"] = ["must be before 'to'"];
        }

        if (page is not { } p || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var filter = new EventListFilter(query.HostId, query.LinkId, kindFilter, severityFilter, query.From?.UtcDateTime, query.To?.UtcDateTime, p.Cursor);
        var rows = await Select(db, filter, p.Limit).ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.ToPage(rows, p.Limit, e => e.Id, ToDto));
    }

    /// <summary>
    /// The events a list request reads: newest (highest id) first, one more than a page. Each filter column leads an
    /// index that ends in the id (<c>EventEntityConfiguration</c>), so a filtered page is an index range read, not a
    /// scan of the table; <c>EventsQueryPlanTests</c> checks the plans on both engines.
    /// </summary>
    internal static IQueryable<EventEntity> Select(FleetDbContext db, EventListFilter filter, int limit)
    {
        var query = db.Events.AsNoTracking();
        if (filter.HostId is { } h)
        {
            query = query.Where(e => e.HostId == h);
        }

        if (filter.LinkId is { } l)
        {
            query = query.Where(e => e.LinkId == l);
        }

        if (filter.Kind is { } k)
        {
            query = query.Where(e => e.Kind == k);
        }

        if (filter.Severity is { } s)
        {
            query = query.Where(e => e.Severity == s);
        }

        if (filter.From is { } start)
        {
            query = query.Where(e => e.Time >= start);
        }

        if (filter.To is { } end)
        {
            query = query.Where(e => e.Time < end);
        }

        if (filter.Before is { } before)
        {
            query = query.Where(e => e.Id.CompareTo(before) < 0);
        }

        return query.OrderByDescending(e => e.Id).Take(limit + 1);
    }
}

/// <summary>What <c>GET /events</c> filters on (times in UTC).</summary>
internal readonly record struct EventListFilter(
    Guid? HostId, Guid? LinkId, AgentEventKind? Kind, EventSeverity? Severity, DateTime? From, DateTime? To, Guid? Before);
