using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts.Receivers;

/// <summary>
/// Alert receivers (docs/alerts.md, "Receivers"): every receiver listed with its delivery state, configured ones
/// read-only, stored ones created, replaced (If-Match required) and deleted by admins through
/// <see cref="AlertReceiverCommands"/>; each receiver's delivery log. Named by their name, the key the outbox uses.
/// </summary>
public static class AlertReceiversApi
{
    public static RouteGroupBuilder MapAlertReceiversApi(this RouteGroupBuilder api)
    {
        var receivers = api.MapGroup("/alert-receivers").WithTags("Alert receivers");
        receivers.MapGet("", ListReceiversAsync).WithName("ListAlertReceivers")
            .WithSummary("List every receiver, configured ones first, with its delivery state. Secrets are never shown.");
        receivers.MapGet("/{name}", GetAsync).WithName("GetAlertReceiver").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("Get a receiver; a stored one's ETag header is the If-Match for replacing it.");
        receivers.MapGet("/{name}/deliveries", ListDeliveriesAsync).WithName("ListAlertDeliveries").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("A receiver's delivery log, newest first: each notification's state, attempts, last error and next attempt.");
        receivers.MapPost("", CreateAsync).RequireAuthorization(FleetPolicies.Admin).WithName("CreateAlertReceiver").ProducesProblems(StatusCodes.Status409Conflict)
            .WithSummary("Create a receiver: an Alertmanager or a signed webhook (its secret is stored encrypted and never returned).");
        receivers.MapPut("/{name}", ReplaceAsync).RequireAuthorization(FleetPolicies.Admin).WithName("ReplaceAlertReceiver")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired)
            .WithSummary("Replace a stored receiver (its name stays). Requires If-Match; a webhook keeps its secret when none is sent.");
        receivers.MapDelete("/{name}", DeleteAsync).RequireAuthorization(FleetPolicies.Admin).WithName("DeleteAlertReceiver")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed)
            .WithSummary("Delete a stored receiver; its pending notifications are abandoned. If-Match is optional.");
        return api;
    }

    /// <summary>Every receiver with its delivery state: configured first, then stored by name (REST's list and the Alerts page).</summary>
    public static async Task<List<AlertReceiverDto>> ListAsync(FleetDbContext db, AlertOptions options, bool admin, CancellationToken cancellationToken)
    {
        var list = new List<AlertReceiverDto>();
        foreach (var configured in options.Receivers)
        {
            list.Add(AlertReceiverMapping.ToDto(configured, await AlertDeliveryLog.StateAsync(db, configured.Name, cancellationToken), admin));
        }

        foreach (var stored in await db.AlertReceivers.AsNoTracking().OrderBy(r => r.Name).ToListAsync(cancellationToken))
        {
            list.Add(AlertReceiverMapping.ToDto(stored, await AlertDeliveryLog.StateAsync(db, stored.Name, cancellationToken), admin));
        }

        return list;
    }

    private static async Task<Ok<List<AlertReceiverDto>>> ListReceiversAsync(ClaimsPrincipal user, FleetDbContext db, IOptions<AlertOptions> options, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ListAsync(db, options.Value, Caller.Of(user).Has(FleetRole.Admin), cancellationToken));

    private static async Task<Results<Ok<AlertReceiverDto>, ProblemHttpResult>> GetAsync(
        string name, ClaimsPrincipal user, HttpResponse response, FleetDbContext db, IOptions<AlertOptions> options, CancellationToken cancellationToken)
    {
        var admin = Caller.Of(user).Has(FleetRole.Admin);
        if (options.Value.Receivers.FirstOrDefault(r => r.Name == name) is { } configured)
        {
            return TypedResults.Ok(AlertReceiverMapping.ToDto(configured, await AlertDeliveryLog.StateAsync(db, name, cancellationToken), admin));
        }

        var stored = await db.AlertReceivers.AsNoTracking().SingleOrDefaultAsync(r => r.Name == name, cancellationToken);
        if (stored is null)
        {
            return Problems.NotFound("The alert receiver");
        }

        response.Headers.ETag = AlertReceiverMapping.ETag(stored);
        return TypedResults.Ok(AlertReceiverMapping.ToDto(stored, await AlertDeliveryLog.StateAsync(db, name, cancellationToken), admin));
    }

    private static async Task<Results<Ok<Page<AlertDeliveryDto>>, ValidationProblem, ProblemHttpResult>> ListDeliveriesAsync(
        string name, [AsParameters] PageQuery paging, FleetDbContext db, IOptions<AlertOptions> options, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (paging.Parse(errors) is not { } page)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!options.Value.Receivers.Any(r => r.Name == name) && !await db.AlertReceivers.AnyAsync(r => r.Name == name, cancellationToken))
        {
            return Problems.NotFound("The alert receiver");
        }

        var rows = await AlertDeliveryLog.ListAsync(db, name, page.Cursor, page.Limit + 1, cancellationToken);
        return TypedResults.Ok(Paging.ToPage(rows, page.Limit, d => d.Id, d => d));
    }

    private static async Task<Results<Created<AlertReceiverDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        AlertReceiverRequest request, ClaimsPrincipal user, HttpResponse response, FleetDbContext db, AlertReceiverCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.CreateAsync(Caller.Of(user), request, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (result.Value is not { } receiver)
        {
            return result.Refusal!.ToProblem();
        }

        response.Headers.ETag = AlertReceiverMapping.ETag(receiver);
        var dto = AlertReceiverMapping.ToDto(receiver, await AlertDeliveryLog.StateAsync(db, receiver.Name, cancellationToken), admin: true);
        return TypedResults.Created($"/api/v1/alert-receivers/{Uri.EscapeDataString(receiver.Name)}", dto);
    }

    private static async Task<Results<Ok<AlertReceiverDto>, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        string name, AlertReceiverRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, ClaimsPrincipal user, HttpResponse response,
        FleetDbContext db, AlertReceiverCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.ReplaceAsync(Caller.Of(user), name, ifMatch, request, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (result.Value is not { } receiver)
        {
            return result.Refusal!.ToProblem();
        }

        response.Headers.ETag = AlertReceiverMapping.ETag(receiver);
        return TypedResults.Ok(AlertReceiverMapping.ToDto(receiver, await AlertDeliveryLog.StateAsync(db, receiver.Name, cancellationToken), admin: true));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, [FromHeader(Name = "If-Match")] string? ifMatch, ClaimsPrincipal user, AlertReceiverCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.DeleteAsync(Caller.Of(user), name, ifMatch, cancellationToken);
        return result.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
    }
}
