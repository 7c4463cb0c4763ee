namespace Fleet.Striper.Reordering;

/// <summary>Counters of the resequencer (running totals, except the depths).</summary>
public readonly record struct ResequencerCounters(
    long Held,
    long HeldMax,
    long Released,
    long Late,
    long Lost,
    long EarlyReleases,
    long TimeoutReleases,
    long Overflows);
