using Fleet.Api.Common;
using Fleet.Api.Configuration;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Samples;

/// <summary>
/// The <c>from</c>/<c>to</c> range of a samples request (member or class samples), bound with <c>[AsParameters]</c>
/// together with the clock that places a missing bound and the configured point limit.
/// </summary>
public sealed class SampleRange
{
    [FromQuery(Name = "from")]
    public DateTimeOffset? From { get; set; }

    [FromQuery(Name = "to")]
    public DateTimeOffset? To { get; set; }

    [FromServices]
    public IOptions<FleetOptions> Options { get; set; } = null!;

    [FromServices]
    public TimeProvider Time { get; set; } = null!;

    /// <summary>Most points one response holds (<c>Fleet:Limits:MaxSamplePoints</c>).</summary>
    public int MaxPoints => Options.Value.Limits.MaxSamplePoints;

    /// <summary>The checked window (<see cref="QueryTime.Window"/>), <paramref name="defaultWindow"/> long when <c>from</c> is missing.</summary>
    public (DateTimeOffset Start, DateTimeOffset End) Window(TimeSpan defaultWindow, Dictionary<string, string[]> errors) =>
        QueryTime.Window(From, To, defaultWindow, Time.GetUtcNow(), errors);
}
