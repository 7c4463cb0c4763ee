using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Hosting;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

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
        Guid? hostId, Guid? linkId, string? kind, string? severity, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit,
        FleetDbContext db, IOptions<FleetOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var page = Paging.Parse(cursor, limit, options.Value.Limits, errors);
        var kindFilter = WireEnum.Parse<AgentEventKind>(kind, "kind", errors);
        var severityFilter = WireEnum.Parse<EventSeverity>(severity, "severity", errors);
        if (from is { } f && to is { } t && f >= t)
        {
            errors["from"] = ["must be before 'to'"];
        }

        if (page is not { } p || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.Events.AsNoTracking();
        if (hostId is { } h)
        {
            query = query.Where(e => e.HostId == h);
        }

        if (linkId is { } l)
        {
            query = query.Where(e => e.LinkId == l);
        }

        if (kindFilter is { } k)
        {
            query = query.Where(e => e.Kind == k);
        }

        if (severityFilter is { } s)
        {
            query = query.Where(e => e.Severity == s);
        }

        if (from is { } start)
        {
            var utc = start.UtcDateTime;
            query = query.Where(e => e.Time >= utc);
        }

        if (to is { } end)
        {
            var utc = end.UtcDateTime;
            query = query.Where(e => e.Time < utc);
        }

        if (p.Cursor is { } before)
        {
            query = query.Where(e => e.Id.CompareTo(before) < 0);
        }

        var rows = await query.OrderByDescending(e => e.Id).Take(p.Limit + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.ToPage(rows, p.Limit, e => e.Id, ToDto));
    }
}
