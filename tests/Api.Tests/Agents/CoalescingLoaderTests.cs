using Fleet.Api.Agents;

namespace Fleet.Api.Tests.Agents;

public sealed class CoalescingLoaderTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LoadAsync_AThousandCallersAskingTogether_FewRoundsEachKeyLoadedOnce()
    {
        var rounds = new List<int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loader = new CoalescingLoader<int, string>(
            async (keys, cancellationToken) =>
            {
                lock (rounds)
                {
                    rounds.Add(keys.Count);
                }

                // The first round waits until every caller has asked: the rest must then come in one more round.
                await gate.Task.WaitAsync(cancellationToken);
                return keys.ToDictionary(k => k, k => $"value {k}");
            },
            maxPerRound: 500);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var serving = loader.RunAsync(stop.Token);

        var loads = Enumerable.Range(0, 1000).Select(i => loader.LoadAsync(i % 400, Token)).ToList();
        gate.SetResult();
        var values = await Task.WhenAll(loads);

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"value {i % 400}"), values);
        Assert.Equal(400, rounds.Sum());
        Assert.InRange(rounds.Count, 1, 3);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serving);
    }

    [Fact]
    public async Task LoadAsync_KeyTheLoaderDoesNotReturn_GetsTheDefault()
    {
        var loader = new CoalescingLoader<int, string>((keys, _) => Task.FromResult<IReadOnlyDictionary<int, string>>(new Dictionary<int, string> { [1] = "one" }), 10);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        _ = loader.RunAsync(stop.Token);

        Assert.Equal("one", await loader.LoadAsync(1, Token));
        Assert.Null(await loader.LoadAsync(2, Token));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task LoadAsync_LoadFails_EveryWaiterOfTheRoundSeesIt_TheNextRoundLoadsAgain()
    {
        var calls = 0;
        var loader = new CoalescingLoader<int, string>(
            (keys, _) => Interlocked.Increment(ref calls) == 1
                ? Task.FromException<IReadOnlyDictionary<int, string>>(new InvalidOperationException("database gone"))
                : Task.FromResult<IReadOnlyDictionary<int, string>>(keys.ToDictionary(k => k, k => "back")),
            10);
        var first = loader.LoadAsync(7, Token);
        var shared = loader.LoadAsync(7, Token);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        _ = loader.RunAsync(stop.Token);

        Assert.Equal("database gone", (await Assert.ThrowsAsync<InvalidOperationException>(() => first)).Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => shared);
        Assert.Equal("back", await loader.LoadAsync(7, Token));
        await stop.CancelAsync();
    }
}
