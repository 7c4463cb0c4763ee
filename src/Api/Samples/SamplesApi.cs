using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
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
            .WithSummary("Samples of every member of a link (or one, with member=) between from and to, at resolution raw, 1m or 1h.");
        api.MapGet("/links/{id:guid}/members/{member}/samples", ForMemberAsync)
            .WithTags("Samples")
            .WithName("GetMemberSamples").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("Samples of one member between from and to, at resolution raw, 1m or 1h.");
        api.MapClassSamplesApi();
        return api;
    }

    private static Task<Results<Ok<SamplesDto>, ValidationProblem, ProblemHttpResult>> ForMemberAsync(
        Guid id, string member, [AsParameters] SampleRange range, string? resolution, FleetDbContext db, CancellationToken cancellationToken) =>
        QueryAsync(id, member, range, resolution, db, cancellationToken);

    private static Task<Results<Ok<SamplesDto>, ValidationProblem, ProblemHttpResult>> ForLinkAsync(
        Guid id, string? member, [AsParameters] SampleRange range, string? resolution, FleetDbContext db, CancellationToken cancellationToken) =>
        QueryAsync(id, member, range, resolution, db, cancellationToken);

    private static async Task<Results<Ok<SamplesDto>, ValidationProblem, ProblemHttpResult>> QueryAsync(
        Guid linkId, string? member, SampleRange range, string? resolution, FleetDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
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
            Raw => [.. (await db.Samples.AsNoTracking()
                    .Where(s => s.LinkId == linkId && s.Time >= startUtc && s.Time < endUtc && (member == null || s.Member == member))
                    .OrderBy(s => s.Member).ThenBy(s => s.Time).Take(max + 1).ToListAsync(cancellationToken))
                .Select(s => (s.Member, ToPoint(s)))],
            Minute => [.. (await db.SampleMinutes.AsNoTracking()
                    .Where(s => s.LinkId == linkId && s.BucketStart >= startUtc && s.BucketStart < endUtc && (member == null || s.Member == member))
                    .OrderBy(s => s.Member).ThenBy(s => s.BucketStart).Take(max + 1).ToListAsync(cancellationToken))
                .Select(s => (s.Member, ToPoint(s)))],
            _ => [.. (await db.SampleHours.AsNoTracking()
                    .Where(s => s.LinkId == linkId && s.BucketStart >= startUtc && s.BucketStart < endUtc && (member == null || s.Member == member))
                    .OrderBy(s => s.Member).ThenBy(s => s.BucketStart).Take(max + 1).ToListAsync(cancellationToken))
                .Select(s => (s.Member, ToPoint(s)))],
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

    private static SamplePointDto ToPoint(SampleEntity s) => new()
    {
        Time = s.Time,
        IntervalMs = s.IntervalMs,
        SampleCount = 1,
        TxBytes = s.TxBytes,
        RxBytes = s.RxBytes,
        TxPackets = s.TxPackets,
        RxPackets = s.RxPackets,
        TxDrops = s.TxDrops,
        RxDrops = s.RxDrops,
        Errors = s.Errors,
        ReorderDepth = s.ReorderDepth,
        ReorderDepthMax = s.ReorderDepthMax,
        RttMs = s.RttMs,
        RttMsMax = s.RttMs,
        LossPercent = s.LossPercent,
        LossPercentMax = s.LossPercent,
        Health = s.Health,
    };

    private static SamplePointDto ToPoint(SampleRollupEntity r) => new()
    {
        Time = r.BucketStart,
        IntervalMs = r.IntervalMsSum,
        SampleCount = r.SampleCount,
        TxBytes = r.TxBytes,
        RxBytes = r.RxBytes,
        TxPackets = r.TxPackets,
        RxPackets = r.RxPackets,
        TxDrops = r.TxDrops,
        RxDrops = r.RxDrops,
        Errors = r.Errors,
        ReorderDepth = r.SampleCount == 0 ? 0 : (double)r.ReorderDepthSum / r.SampleCount,
        ReorderDepthMax = r.ReorderDepthMax,
        RttMs = r.RttCount == 0 ? null : r.RttMsSum / r.RttCount,
        RttMsMax = r.RttMsMax,
        LossPercent = r.LossCount == 0 ? null : r.LossPercentSum / r.LossCount,
        LossPercentMax = r.LossPercentMax,
        Health = r.HealthWorst,
    };
}
