using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Alerts;

/// <summary>The filter of <c>GET /api/v1/alerts</c>.</summary>
public sealed class AlertListQuery
{
    /// <summary><c>firing</c> or <c>resolved</c>; both when absent.</summary>
    [FromQuery(Name = "status")]
    public string? Status { get; set; }

    [FromQuery(Name = "hostId")]
    public Guid? HostId { get; set; }

    [FromQuery(Name = "linkId")]
    public Guid? LinkId { get; set; }
}

/// <summary>
/// Alerts (docs/alerts.md): list firing and past alerts, read one (with its ETag), acknowledge (operator); silences:
/// list, create, delete (operator). Changes are <see cref="AlertCommands"/>'. Silences live at <c>/api/v1/silences</c>
/// (as Alertmanager's do), not under <c>/alerts</c>: <c>/alerts/silences/{id}</c> beside <c>/alerts/{id}/ack</c> is
/// an ambiguous pair of paths to OpenAPI (Redocly's no-ambiguous-paths rule, which <c>OpenApiLintTests</c> applies).
/// </summary>
public static class AlertsApi
{
    public static RouteGroupBuilder MapAlertsApi(this RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/alerts").WithTags("Alerts");
        alerts.MapGet("", ListAsync).WithName("ListAlerts").WithSummary("List alerts, newest first; filter by status (firing, resolved), hostId and linkId.");
        alerts.MapGet("/{id:guid}", GetAsync).WithName("GetAlert").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Get an alert; the ETag header is the If-Match for acknowledging.");
        alerts.MapPost("/{id:guid}/ack", AcknowledgeAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("AcknowledgeAlert").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed)
            .WithSummary("Acknowledge an alert (who and when are recorded and audited). If-Match is optional.");
        var silences = api.MapGroup("/silences").WithTags("Silences");
        silences.MapGet("", ListSilencesAsync).WithName("ListAlertSilences").WithSummary("List silences, newest first; active=true: only those in force now.");
        silences.MapPost("", CreateSilenceAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("CreateAlertSilence").WithSummary("Silence alerts by host, link, member and rule for a time range: they are recorded but not delivered.");
        silences.MapDelete("/{id:guid}", DeleteSilenceAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("DeleteAlertSilence").ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Delete a silence; it stops at once.");
        return api;
    }

    private static async Task<Results<Ok<Page<AlertDto>>, ValidationProblem>> ListAsync(
        [AsParameters] AlertListQuery query, [AsParameters] PageQuery paging, FleetDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var page = paging.Parse(errors);
        var status = WireEnum.Parse<AlertStatus>(query.Status, "status", errors);
        if (page is not { } p || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var rows = db.Alerts.AsNoTracking().Matching(status, query.HostId, query.LinkId);
        if (p.Cursor is { } before)
        {
            rows = rows.Where(a => a.Id.CompareTo(before) < 0);
        }

        var list = await rows.OrderByDescending(a => a.Id).Take(p.Limit + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.ToPage(list, p.Limit, a => a.Id, AlertMapping.ToDto));
    }

    private static async Task<Results<Ok<AlertDto>, ProblemHttpResult>> GetAsync(Guid id, HttpResponse response, FleetDbContext db, CancellationToken cancellationToken)
    {
        var alert = await db.Alerts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (alert is null)
        {
            return Problems.NotFound("The alert");
        }

        response.Headers.ETag = AlertMapping.ETag(alert);
        return TypedResults.Ok(AlertMapping.ToDto(alert));
    }

    private static async Task<Results<Ok<AlertDto>, ProblemHttpResult>> AcknowledgeAsync(
        Guid id, [FromHeader(Name = "If-Match")] string? ifMatch, ClaimsPrincipal user, HttpResponse response, AlertCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.AcknowledgeAsync(Caller.Of(user), id, ifMatch, cancellationToken);
        if (result.Value is not { } alert)
        {
            return result.Refusal!.ToProblem();
        }

        response.Headers.ETag = AlertMapping.ETag(alert);
        return TypedResults.Ok(AlertMapping.ToDto(alert));
    }

    private static async Task<Results<Ok<Page<AlertSilenceDto>>, ValidationProblem>> ListSilencesAsync(
        [FromQuery] bool? active, [AsParameters] PageQuery paging, FleetDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (paging.Parse(errors) is not { } p)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var rows = db.AlertSilences.AsNoTracking();
        if (active == true)
        {
            rows = rows.Where(AlertSilenceRule.ActiveAt(UtcDateTimeConverter.ToStore(time.GetUtcNow().UtcDateTime)));
        }

        if (p.Cursor is { } before)
        {
            rows = rows.Where(s => s.Id.CompareTo(before) < 0);
        }

        var list = await rows.OrderByDescending(s => s.Id).Take(p.Limit + 1).ToListAsync(cancellationToken);
        return TypedResults.Ok(Paging.ToPage(list, p.Limit, s => s.Id, AlertMapping.ToDto));
    }

    private static async Task<Results<Created<AlertSilenceDto>, ValidationProblem, ProblemHttpResult>> CreateSilenceAsync(
        CreateAlertSilenceRequest request, ClaimsPrincipal user, AlertCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.CreateSilenceAsync(Caller.Of(user), request, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return result.Value is { } silence
            ? TypedResults.Created($"/api/v1/silences/{silence.Id}", AlertMapping.ToDto(silence))
            : result.Refusal!.ToProblem();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSilenceAsync(Guid id, ClaimsPrincipal user, AlertCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.DeleteSilenceAsync(Caller.Of(user), id, cancellationToken);
        return result.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
    }
}
