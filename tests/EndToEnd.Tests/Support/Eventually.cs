namespace Fleet.EndToEnd.Tests.Support;

internal static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? detail = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout, detail);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> (and the detail) after the timeout.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<string>? detail = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for: {what}" + (detail is null ? "" : "\n" + detail()));
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
