using System.Text.Json;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Audit;

/// <summary>The audit log (admin): newest first, filtered by target and actor.</summary>
public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", ListAsync)
            .RequireAuthorization(FleetPolicies.Admin)
            .WithTags("Audit")
            .WithName("ListAuditEntries")
            .WithSummary("List audit entries, newest first; filter by targetType, targetId and actor.");
        return api;
    }

    internal static AuditEntryDto ToDto(AuditEntryEntity a) => new()
    {
        Id = a.Id,
        Time = a.Time,
        Actor = a.Actor,
        Action = a.Action,
        TargetType = a.TargetType,
        TargetId = a.TargetId,
        Before = a.Before is null ? null : JsonDocument.Parse(a.Before).RootElement.Clone(),
        After = a.After is null ? null : JsonDocument.Parse(a.After).RootElement.Clone(),
    };

    private static async Task<Results<Ok<Page<AuditEntryDto>>, ValidationProblem>> ListAsync(
        string? targetType, string? targetId, string? actor, [AsParameters] PageQuery paging, FleetDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (paging.Parse(errors) is not { } page)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.AuditLog.AsNoTracking();
        if (targetType is not null)
        {
            query = query.Where(a => a.TargetType == targetType);
        }

        if (targetId is not null)
        {
            query = query.Where(a => a.TargetId == targetId);
        }

        if (actor is not null)
        {
            query = query.Where(a => a.Actor == actor);
        }

        if (page.Cursor is { } before)
        {
            query = query.Where(a => a.Id.CompareTo(before) < 0);
        }

        var rows = await query.OrderByDescending(a => a.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.ToPage(rows, page.Limit, a => a.Id, ToDto));
    }
}
