using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Samples;

/// <summary>
/// Sample history from the database, per link or per member, at resolution <c>raw</c> (agent intervals),
/// <c>1m</c> or <c>1h</c> (rollups). Live samples go to browsers through the live hub instead.
/// </summary>
public static class SamplesApi
{
    public const string Raw = "raw";
    public const string Minute = "1m";
    public const string Hour = "1h";

    public static RouteGroupBuilder MapSamplesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/links/{id:guid}/samples", ForLinkAsync)
            .WithTags("Samples")
            .WithName("GetLinkSamples").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("Samples of every member of a link (or one, with member=; or one aggregator site's session and paths, with site=) between from and to, at resolution raw, 1m or 1h.");
        api.MapGet("/links/{id:guid}/members/{member}/samples", ForMemberAsync)
            .WithTags("Samples")
            .WithName("GetMemberSamples").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("Samples of one member between from and to, at resolution raw, 1m or 1h.");
        api.MapClassSamplesApi();
        return api;
    }

    private static Task<Results<Ok<SamplesDto>, ValidationProblem, ProblemHttpResult>> ForMemberAsync(
        Guid id, string member, [AsParameters] SampleRange range, string? resolution, FleetDbContext db, CancellationToken cancellationToken) =>
        QueryAsync(id, new SampleMemberFilter { Member = member }, range, resolution, db, [], cancellationToken);

    private static Task<Results<Ok<SamplesDto>, ValidationProblem, ProblemHttpResult>> ForLinkAsync(
        Guid id, string? member, int? site, [AsParameters] SampleRange range, string? resolution, FleetDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (site is < 1)
        {
            errors["site"] = ["must be an aggregator site's id, 1 or more"];
        }

        return QueryAsync(id, new SampleMemberFilter { Member = member, SiteId = site }, range, resolution, db, errors, cancellationToken);
    }

    private static async Task<Results<Ok<SamplesDto>, ValidationProblem, ProblemHttpResult>> QueryAsync(
        Guid linkId, SampleMemberFilter members, SampleRange range, string? resolution, FleetDbContext db, Dictionary<string, string[]> errors,
        CancellationToken cancellationToken)
    {
        resolution ??= Raw;
        if (resolution is not (Raw or Minute or Hour))
        {
            errors["resolution"] = ["must be raw, 1m or 1h"];
        }

        var (start, end) = range.Window(DefaultWindow(resolution), errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await db.Links.AnyAsync(l => l.Id == linkId, cancellationToken))
        {
            return Problems.NotFound($"Link {linkId}");
        }

        var (startUtc, endUtc) = (start.UtcDateTime, end.UtcDateTime);
        var max = range.MaxPoints;
        List<(string Member, SamplePointDto Point)> points = resolution switch
        {
            Raw => [.. (await members.Apply(db.Samples.AsNoTracking())
                    .Where(s => s.LinkId == linkId && s.Time >= startUtc && s.Time < endUtc)
                    .OrderBy(s => s.Member).ThenBy(s => s.Time).Take(max + 1).ToListAsync(cancellationToken))
                .Select(s => (s.Member, SamplePointDto.FromSample(s.ToSample())))],
            Minute => [.. (await members.Apply(db.SampleMinutes.AsNoTracking())
                    .Where(s => s.LinkId == linkId && s.BucketStart >= startUtc && s.BucketStart < endUtc)
                    .OrderBy(s => s.Member).ThenBy(s => s.BucketStart).Take(max + 1).ToListAsync(cancellationToken))
                .Select(s => (s.Member, s.ToPoint()))],
            _ => [.. (await members.Apply(db.SampleHours.AsNoTracking())
                    .Where(s => s.LinkId == linkId && s.BucketStart >= startUtc && s.BucketStart < endUtc)
                    .OrderBy(s => s.Member).ThenBy(s => s.BucketStart).Take(max + 1).ToListAsync(cancellationToken))
                .Select(s => (s.Member, s.ToPoint()))],
        };
        if (points.Count > max)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["resolution"] = [$"the range holds more than {max} points at resolution {resolution}; narrow it or use a coarser resolution"],
            });
        }

        var series = points.GroupBy(p => p.Member, StringComparer.Ordinal)
            .Select(g => new MemberSeriesDto(g.Key, [.. g.Select(p => p.Point)]))
            .ToList();
        return TypedResults.Ok(new SamplesDto { LinkId = linkId, Resolution = resolution, From = start, To = end, Series = series });
    }

    private static TimeSpan DefaultWindow(string resolution) => resolution switch
    {
        Minute => TimeSpan.FromHours(24),
        Hour => TimeSpan.FromDays(30),
        _ => TimeSpan.FromMinutes(15),
    };
}
