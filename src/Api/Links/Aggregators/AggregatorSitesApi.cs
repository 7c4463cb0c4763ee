using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Fleet.Api.Links.Aggregators;

/// <summary>
/// An aggregator link's sites (issue 17): add one (its link on its host and its entry at the aggregator, one call),
/// list them, read one, change one's paths and options, remove one (both sides). The changes are <see cref="AggregatorSiteCommands"/>'; these
/// handlers map HTTP to them and refusals to ProblemDetails.
/// </summary>
public static class AggregatorSitesApi
{
    public static RouteGroupBuilder MapAggregatorSitesApi(this RouteGroupBuilder api)
    {
        var sites = api.MapGroup("/links/{id:guid}/sites").WithTags("Aggregator sites");
        sites.MapPost("", CreateAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("CreateAggregatorSite").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Add a site to an aggregator: the Api allocates its id, inner prefix and key, creates its striper link on its host and adds it to the aggregator.");
        sites.MapGet("", ListAsync)
            .WithName("ListAggregatorSites").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .WithSummary("List an aggregator's sites by site id, each with its link and its state at the aggregator (session, paths, throughput).");
        sites.MapGet("/{siteId:int}", GetAsync)
            .WithName("GetAggregatorSite").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .WithSummary("Get one site of an aggregator with its link and its state at the aggregator.");
        sites.MapPut("/{siteId:int}", UpdateAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("UpdateAggregatorSite").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Change a site's paths and options: its link's next generation (commit-confirm on its host) and its entry at the aggregator, in one transaction.");
        sites.MapDelete("/{siteId:int}", DeleteAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("DeleteAggregatorSite").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .WithSummary("Remove a site: its link is deleted from its host and its entry from the aggregator, in one transaction.");
        return api;
    }

    private static async Task<Results<Created<AggregatorSiteDto>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid id, CreateAggregatorSiteRequest request, ClaimsPrincipal user, AggregatorSiteCommands commands, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var result = await commands.CreateAsync(Caller.Of(user), id, request, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return result.Value is { } state
            ? TypedResults.Created($"/api/v1/links/{id}/sites/{state.Entry.Id}", ToDto(state, user, keys))
            : result.Refusal!.ToProblem();
    }

    private static async Task<Results<Ok<IReadOnlyList<AggregatorSiteDto>>, ProblemHttpResult>> ListAsync(
        Guid id, ClaimsPrincipal user, AggregatorSiteCommands commands, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var result = await commands.ListAsync(id, cancellationToken);
        return result.Value is { } sites
            ? TypedResults.Ok<IReadOnlyList<AggregatorSiteDto>>([.. sites.Select(s => ToDto(s, user, keys))])
            : result.Refusal!.ToProblem();
    }

    private static async Task<Results<Ok<AggregatorSiteDto>, ProblemHttpResult>> GetAsync(
        Guid id, int siteId, ClaimsPrincipal user, AggregatorSiteCommands commands, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var result = await commands.ListAsync(id, cancellationToken);
        if (result.Value is not { } sites)
        {
            return result.Refusal!.ToProblem();
        }

        return sites.FirstOrDefault(s => s.Entry.Id == siteId) is { } site
            ? TypedResults.Ok(ToDto(site, user, keys))
            : Problems.NotFound($"Site {siteId} of aggregator {id}");
    }

    private static async Task<Results<Ok<AggregatorSiteDto>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, int siteId, UpdateAggregatorSiteRequest request, ClaimsPrincipal user, AggregatorSiteCommands commands, StriperKeyProtection keys, CancellationToken cancellationToken)
    {
        var result = await commands.UpdateAsync(Caller.Of(user), id, siteId, request, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return result.Value is { } state ? TypedResults.Ok(ToDto(state, user, keys)) : result.Refusal!.ToProblem();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, int siteId, [FromQuery] string? reason, ClaimsPrincipal user, AggregatorSiteCommands commands, CancellationToken cancellationToken)
    {
        var result = await commands.DeleteAsync(Caller.Of(user), id, siteId, reason, cancellationToken);
        return result.Refusal is { } refusal ? refusal.ToProblem() : TypedResults.NoContent();
    }

    /// <summary>A site as REST shows it: its link's key redacted for every role (the Api hands site keys only to the two agents).</summary>
    private static AggregatorSiteDto ToDto(AggregatorSiteState state, ClaimsPrincipal user, StriperKeyProtection keys)
    {
        var link = state.Link is { } l ? LinkMapping.ToDto(l, user, keys) : null;
        var prefix = state.Entry.Prefixes[0];
        return new AggregatorSiteDto
        {
            AggregatorId = state.Aggregator.Id,
            SiteId = state.Entry.Id,
            Prefix = prefix,
            TunnelAddress = state.Link?.Spec.Addresses is { Count: > 0 } addresses ? addresses[0] : "",
            Link = link is null ? null : link with { Spec = StriperKeyProtection.MapKeys(link.Spec, _ => LinkMapping.RedactedKey) },
            Observed = state.Observed,
        };
    }
}
