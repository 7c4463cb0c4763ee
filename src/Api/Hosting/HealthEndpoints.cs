using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Api.Hosting;

/// <summary>Probe answers.</summary>
/// <param name="Status"><c>alive</c>, <c>ready</c> or <c>unready</c>.</param>
/// <param name="Detail">Why not ready.</param>
public sealed record HealthStatus(string Status, string? Detail = null);

/// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (database reachable, schema current), anonymous.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Probes for the service manager and load balancers (docs/rest-api.md, "Health"), not part of the REST API's
        // description: they take no input, so they have no client error to document.
        var probes = endpoints.MapGroup("").AllowAnonymous().ExcludeFromDescription();
        probes.MapGet("/healthz", () => TypedResults.Ok(new HealthStatus("alive")))
            .WithName("Healthz");

        probes.MapGet("/readyz", ReadyAsync)
            .WithName("Readyz");
        return endpoints;
    }

    private static async Task<Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>>> ReadyAsync(
        DatabaseReadiness readiness, FleetDbContext db, CancellationToken cancellationToken)
    {
        if (readiness.Problem is { } problem)
        {
            return Unready(problem);
        }

        try
        {
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return Unready("the database is not reachable");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Unready("the database is not reachable");
        }

        return TypedResults.Ok(new HealthStatus("ready"));
    }

    private static JsonHttpResult<HealthStatus> Unready(string detail) =>
        TypedResults.Json(new HealthStatus("unready", detail), statusCode: StatusCodes.Status503ServiceUnavailable);
}
