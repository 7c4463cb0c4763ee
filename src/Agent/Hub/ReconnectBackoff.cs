namespace Fleet.Agent.Hub;

/// <summary>
/// Exponential backoff with "equal jitter": the n-th delay is drawn from [d/2, d] with d = min(max, min · 2ⁿ), so a
/// fleet that lost the Api at the same moment does not come back in lockstep, and no delay is shorter than half its step.
/// </summary>
public sealed class ReconnectBackoff(TimeSpan minDelay, TimeSpan maxDelay, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    /// <summary>Failed attempts since the last reset.</summary>
    public int Attempts { get; private set; }

    /// <summary>The delay before the next attempt.</summary>
    public TimeSpan Next()
    {
        var exponent = Math.Min(Attempts, 30);
        Attempts++;
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, minDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var half = ceiling / 2;
        return TimeSpan.FromMilliseconds(half + (_random.NextDouble() * half));
    }

    /// <summary>A connection held: start again from the shortest delay.</summary>
    public void Reset() => Attempts = 0;
}
