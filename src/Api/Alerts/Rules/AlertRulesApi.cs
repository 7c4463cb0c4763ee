using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Alerts.Rules;

/// <summary>
/// Alert rules (docs/alerts.md, "Custom rules"): every rule listed, built-in (from the configuration, read-only) and
/// custom; custom rules created, replaced (If-Match required) and deleted by operators; changes are
/// <see cref="AlertRuleCommands"/>'. At <c>/api/v1/alert-rules</c> rather than <c>/alerts/rules</c> for the reason
/// silences are at <c>/silences</c>: <c>/alerts/rules/{id}</c> beside <c>/alerts/{id}/ack</c> is an ambiguous pair of
/// paths to OpenAPI.
/// </summary>
public static class AlertRulesApi
{
    public static RouteGroupBuilder MapAlertRulesApi(this RouteGroupBuilder api)
    {
        var rules = api.MapGroup("/alert-rules").WithTags("Alert rules");
        rules.MapGet("", ListRulesAsync).WithName("ListAlertRules").WithSummary("List every alert rule: the built-in ones with their configured settings, then the custom ones by name.");
        rules.MapGet("/{id:guid}", GetAsync).WithName("GetAlertRule").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("Get a custom rule; the ETag header is the If-Match for replacing it.");
        rules.MapPost("", CreateAsync).RequireAuthorization(FleetPolicies.Operator).WithName("CreateAlertRule").ProducesProblems(StatusCodes.Status409Conflict)
            .WithSummary("Create a custom rule: a sample counter compared with a threshold for a duration, over a scope, with a severity.");
        rules.MapPut("/{id:guid}", ReplaceAsync).RequireAuthorization(FleetPolicies.Operator).WithName("ReplaceAlertRule")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired)
            .WithSummary("Replace a custom rule. Requires If-Match with the current ETag.");
        rules.MapDelete("/{id:guid}", DeleteAsync).RequireAuthorization(FleetPolicies.Operator).WithName("DeleteAlertRule")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed)
            .WithSummary("Delete a custom rule; its firing alerts resolve after the hold-down. If-Match is optional.");
        return api;
    }

    /// <summary>Every rule: built-in first, then custom by name (REST's list and the dashboard's Alerts page).</summary>
    public static async Task<List<AlertRuleDto>> ListAsync(FleetDbContext db, AlertOptions options, CancellationToken cancellationToken)
    {
        var custom = await db.AlertRules.AsNoTracking().OrderBy(r => r.Name).ToListAsync(cancellationToken);
        return AlertRuleMapping.BuiltIn(options).Concat(custom.Select(AlertRuleMapping.ToDto)).ToList();
    }

    private static async Task<Ok<List<AlertRuleDto>>> ListRulesAsync(FleetDbContext db, IOptions<AlertOptions> options, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ListAsync(db, options.Value, cancellationToken));

    private static async Task<Results<Ok<AlertRuleDto>, ProblemHttpResult>> GetAsync(Guid id, HttpResponse response, FleetDbContext db, CancellationToken cancellationToken)
    {
        var rule = await db.AlertRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return Problems.NotFound("The alert rule");
        }

        response.Headers.ETag = AlertRuleMapping.ETag(rule);
        return TypedResults.Ok(AlertRuleMapping.ToDto(rule));
    }

    private static async Task<Results<Created<AlertRuleDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        AlertRuleRequest request, ClaimsPrincipal user, HttpResponse response, AlertRuleCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.CreateAsync(Caller.Of(user), request, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (result.Value is not { } rule)
        {
            return result.Refusal!.ToProblem();
        }

        response.Headers.ETag = AlertRuleMapping.ETag(rule);
        return TypedResults.Created($"/api/v1/alert-rules/{rule.Id}", AlertRuleMapping.ToDto(rule));
    }

    private static async Task<Results<Ok<AlertRuleDto>, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        Guid id, AlertRuleRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, ClaimsPrincipal user, HttpResponse response, AlertRuleCommands commands,
        CancellationToken cancellationToken)
    {
        var result = await commands.ReplaceAsync(Caller.Of(user), id, ifMatch, request, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (result.Value is not { } rule)
        {
            return result.Refusal!.ToProblem();
        }

        response.Headers.ETag = AlertRuleMapping.ETag(rule);
        return TypedResults.Ok(AlertRuleMapping.ToDto(rule));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, [FromHeader(Name = "If-Match")] string? ifMatch, ClaimsPrincipal user, AlertRuleCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.DeleteAsync(Caller.Of(user), id, ifMatch, cancellationToken);
        return result.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
    }
}
