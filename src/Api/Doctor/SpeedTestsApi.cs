using System.Security.Claims;
using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Security;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Doctor;

/// <summary>
/// REST for path speed tests (docs/doctor.md, "Path speed test"): start one (operator; <see cref="SpeedTestCommands"/>),
/// read its result resource and a link's history, newest first (viewer).
/// </summary>
public static class SpeedTestsApi
{
    public static RouteGroupBuilder MapSpeedTestsApi(this RouteGroupBuilder api)
    {
        var tests = api.MapGroup("/links/{id:guid}/speed-tests").WithTags("Doctor");
        tests.MapPost("", StartAsync).RequireAuthorization(FleetPolicies.Operator)
            .WithName("StartLinkSpeedTest").ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict)
            .WithSummary("Order a path speed test of a striper link from its agent (maxMbitPerPath 1–100000, default 100); 202 with the result resource's Location. 409 for other kinds, an offline agent, or a test still running.");
        tests.MapGet("", ListAsync).WithName("ListLinkSpeedTests").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("The link's speed tests, newest first: state (pending, completed, failed, timed_out) and result.");
        tests.MapGet("/{testId:guid}", GetAsync).WithName("GetLinkSpeedTest").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("One speed test: pending until the agent answers, then completed (per path: capacity, round trip idle and loaded, loss) or failed; timed_out without an answer in 90 s.");
        return api;
    }

    private static async Task<Results<Accepted<SpeedTestDto>, ValidationProblem, ProblemHttpResult>> StartAsync(
        Guid id,
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] StartSpeedTestRequest? request,
        ClaimsPrincipal user,
        SpeedTestCommands commands,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var result = await commands.StartAsync(Caller.Of(user), id, request, cancellationToken);
        if (result.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return result.Value is { } test
            ? TypedResults.Accepted(SpeedTestMapping.Location(test), SpeedTestMapping.ToDto(test, time.GetUtcNow()))
            : result.Refusal!.ToProblem();
    }

    private static async Task<Results<Ok<SpeedTestDto>, ProblemHttpResult>> GetAsync(
        Guid id, Guid testId, FleetDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var test = await db.SpeedTests.AsNoTracking().SingleOrDefaultAsync(t => t.Id == testId && t.LinkId == id, cancellationToken);
        return test is null ? Problems.NotFound($"Speed test {testId} of link {id}") : TypedResults.Ok(SpeedTestMapping.ToDto(test, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<Page<SpeedTestDto>>, ValidationProblem, ProblemHttpResult>> ListAsync(
        Guid id, [AsParameters] PageQuery paging, FleetDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (paging.Parse(errors) is not { } page)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await db.Links.AnyAsync(l => l.Id == id, cancellationToken))
        {
            return Problems.NotFound($"Link {id}");
        }

        var rows = db.SpeedTests.AsNoTracking().Where(t => t.LinkId == id);
        if (page.Cursor is { } before)
        {
            rows = rows.Where(t => t.Id.CompareTo(before) < 0);
        }

        var list = await rows.OrderByDescending(t => t.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(Paging.ToPage(list, page.Limit, t => t.Id, t => SpeedTestMapping.ToDto(t, now)));
    }
}
