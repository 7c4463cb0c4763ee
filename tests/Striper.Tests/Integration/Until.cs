namespace Fleet.Striper.Tests.Integration;

/// <summary>Waiting for an engine to catch up with what a test did (its threads run on their own).</summary>
internal static class Until
{
    /// <summary>Polls <paramref name="condition"/> every 20 ms; false when it did not hold within <paramref name="timeout"/>.</summary>
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return true;
    }
}
