using Fleet.Api.Common;
using Fleet.Contracts.Doctor;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Fleet.Api.Doctor;

/// <summary>REST for the link doctor: <c>GET /api/v1/links/{id}/diagnosis</c> (docs/doctor.md).</summary>
public static class DoctorApi
{
    public static RouteGroupBuilder MapDoctorApi(this RouteGroupBuilder api)
    {
        api.MapGet("/links/{id:guid}/diagnosis", DiagnoseAsync)
            .WithTags("Doctor")
            .WithName("GetLinkDiagnosis").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("Why the link does (not) aggregate: a verdict and ranked findings from the members' samples over the last windowMinutes (1–60, default 15).");
        return api;
    }

    private static async Task<Results<Ok<Diagnosis>, ValidationProblem, ProblemHttpResult>> DiagnoseAsync(
        Guid id, int? windowMinutes, LinkDoctorQuery doctor, CancellationToken cancellationToken)
    {
        var window = windowMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : LinkDoctorQuery.DefaultWindow;
        if (window <= TimeSpan.Zero || window > LinkDoctorQuery.MaxWindow)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["windowMinutes"] = [$"must be 1 to {LinkDoctorQuery.MaxWindow.TotalMinutes:0}"],
            });
        }

        return await doctor.DiagnoseAsync(id, window, cancellationToken) is { } diagnosis
            ? TypedResults.Ok(diagnosis)
            : Problems.NotFound($"Link {id}");
    }
}
