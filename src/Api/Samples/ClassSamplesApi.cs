using Fleet.Api.Common;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Rest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Samples;

/// <summary>
/// Per-class counters of a striper link with traffic classes (issue 13), from the database at agent resolution
/// (class samples are not rolled up), over a range like the member samples' and under the same point limit.
/// </summary>
public static class ClassSamplesApi
{
    /// <summary>The range when <c>from</c> is not given: what the member samples give at raw resolution.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(15);

    public static RouteGroupBuilder MapClassSamplesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/links/{id:guid}/classes/samples", QueryAsync)
            .WithTags("Samples")
            .WithName("GetLinkClassSamples").ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("Per-class counters of a striper link (or one class, with class=) between from and to, one point per agent interval.");
        return api;
    }

    private static async Task<Results<Ok<ClassSamplesDto>, ValidationProblem, ProblemHttpResult>> QueryAsync(
        Guid id, string? @class, [AsParameters] SampleRange range, FleetDbContext db, CancellationToken cancellationToken)
    {
        var className = @class;
        var errors = new Dictionary<string, string[]>();
        var (start, end) = range.Window(DefaultWindow, errors);
        if (className is { Length: > ClassSampleEntity.MaxNameLength })
        {
            errors["class"] = [$"a class name has at most {ClassSampleEntity.MaxNameLength} characters"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await db.Links.AnyAsync(l => l.Id == id, cancellationToken))
        {
            return Problems.NotFound($"Link {id}");
        }

        var max = range.MaxPoints;
        var rows = await ReadAsync(db, id, start, end, className, max + 1, cancellationToken);
        if (rows.Count > max)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["from"] = [$"the range holds more than {max} class points; narrow it (class samples are kept at agent resolution only)"],
            });
        }

        return TypedResults.Ok(new ClassSamplesDto { LinkId = id, From = start, To = end, Series = Group(rows) });
    }

    /// <summary>A link's class samples in [<paramref name="start"/>, <paramref name="end"/>), by class then time, at most <paramref name="limit"/>.</summary>
    public static Task<List<ClassSampleEntity>> ReadAsync(
        FleetDbContext db, Guid linkId, DateTimeOffset start, DateTimeOffset end, string? className, int limit, CancellationToken cancellationToken)
    {
        var (startUtc, endUtc) = (start.UtcDateTime, end.UtcDateTime);
        return db.ClassSamples.AsNoTracking()
            .Where(s => s.LinkId == linkId && s.Time >= startUtc && s.Time < endUtc && (className == null || s.Class == className))
            .OrderBy(s => s.Class).ThenBy(s => s.Time).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>Rows ordered by class then time, as one series per class.</summary>
    public static List<ClassSeriesDto> Group(IEnumerable<ClassSampleEntity> rows) =>
        [.. rows.GroupBy(r => r.Class, StringComparer.Ordinal).Select(g => new ClassSeriesDto(g.Key, [.. g.Select(ToPoint)]))];

    private static ClassPointDto ToPoint(ClassSampleEntity s) => new()
    {
        Time = s.Time,
        IntervalMs = s.IntervalMs,
        Action = s.Action,
        TxPackets = s.TxPackets,
        TxBytes = s.TxBytes,
        DuplicatesSent = s.DuplicatesSent,
        DuplicateBytes = s.DuplicateBytes,
        FecBlocks = s.FecBlocks,
        FecParityPackets = s.FecParityPackets,
        FecParityBytes = s.FecParityBytes,
        OverheadPercent = ClassOverhead.Percent(s.TxBytes, s.DuplicateBytes, s.FecParityBytes),
        DropNoPath = s.DropNoPath,
        RxPackets = s.RxPackets,
        RxBytes = s.RxBytes,
        DuplicatesDropped = s.DuplicatesDropped,
        FecRecovered = s.FecRecovered,
        FecLost = s.FecLost,
        PinnedMember = s.PinnedMember,
    };
}
