namespace Fleet.Web.Events;

/// <summary>The time ranges the events page offers (<c>range=</c> in its URL): the last hour, day, week or month.</summary>
public static class EventRanges
{
    /// <summary>Each range's key and length, shortest first.</summary>
    public static IReadOnlyList<(string Key, string Label, TimeSpan Length)> All { get; } =
    [
        ("1h", "last hour", TimeSpan.FromHours(1)),
        ("24h", "last 24 hours", TimeSpan.FromHours(24)),
        ("7d", "last 7 days", TimeSpan.FromDays(7)),
        ("30d", "last 30 days", TimeSpan.FromDays(30)),
    ];

    /// <summary>The length of the range <paramref name="key"/>; null for no range (all time) or an unknown key.</summary>
    public static TimeSpan? Parse(string? key)
    {
        foreach (var range in All)
        {
            if (string.Equals(range.Key, key, StringComparison.Ordinal))
            {
                return range.Length;
            }
        }

        return null;
    }
}
