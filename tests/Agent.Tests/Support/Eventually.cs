namespace Fleet.Agent.Tests.Support;

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes (then fails with <paramref name="what"/>).</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? detail = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for: {what}" + (detail is null ? "" : $" ({detail()})"));
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Polls an asynchronous <paramref name="condition"/> (e.g. running a command) until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<string>? detail = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for: {what}" + (detail is null ? "" : $" ({detail()})"));
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
