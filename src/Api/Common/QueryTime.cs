namespace Fleet.Api.Common;

/// <summary>
/// The range a time in a query string (<c>from</c>, <c>to</c>) may take. Handlers subtract default windows from
/// these values and hand them to both database engines, so the extremes of <see cref="DateTimeOffset"/>
/// (<c>0001-01-01</c>, <c>9999-12-31</c>) are refused with a field error instead of overflowing into a 500.
/// </summary>
public static class QueryTime
{
    /// <summary>Earliest accepted time: the Unix epoch (nothing Fleet stores is older).</summary>
    public static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;

    /// <summary>Latest accepted time (exclusive): far enough from the end of the calendar for any window arithmetic.</summary>
    public static readonly DateTimeOffset Latest = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Adds an error for <paramref name="field"/> when <paramref name="value"/> is outside [<see cref="Earliest"/>, <see cref="Latest"/>).</summary>
    public static void Check(DateTimeOffset? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is { } time && (time < Earliest || time >= Latest))
        {
            errors[field] = [$"must be at or after {Earliest:yyyy-MM-dd'T'HH:mm:ss'Z'} and before {Latest:yyyy-MM-dd'T'HH:mm:ss'Z'}"];
        }
    }
}
