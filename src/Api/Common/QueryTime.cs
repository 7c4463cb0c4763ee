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

    /// <summary>
    /// The range <c>from</c>..<c>to</c> a query asks for: <c>to</c> defaults to now, <c>from</c> to
    /// <paramref name="defaultWindow"/> before <c>to</c>. Adds field errors for times out of range and for a
    /// <c>from</c> not before <c>to</c> (the returned range is then meaningless).
    /// </summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Window(
        DateTimeOffset? from, DateTimeOffset? to, TimeSpan defaultWindow, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        Check(from, "from", errors);
        Check(to, "to", errors);
        if (errors.ContainsKey("from") || errors.ContainsKey("to"))
        {
            return (DateTimeOffset.MinValue, DateTimeOffset.MinValue);
        }

        // Both are within range, so subtracting a default window cannot leave the calendar.
        var end = to ?? now;
        var start = from ?? end - defaultWindow;
        if (start >= end)
        {
            errors["from"] = ["must be before 'to'"];
        }

        return (start, end);
    }
}
