using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Fleet.Api.Agents;

/// <summary>
/// Loads values by key for many concurrent callers with one database round trip per round: callers asking for the
/// same key share its load, and one loop loads every key asked for since its last round at once (up to
/// <c>maxPerRound</c>). So the cache misses of a thousand agents reconnecting together (issue 21) cost a few queries
/// over one pooled connection, not one query and one connection per invocation.
/// </summary>
/// <typeparam name="TKey">The key.</typeparam>
/// <typeparam name="TValue">What is loaded; a key the loader does not return gets the default.</typeparam>
internal sealed class CoalescingLoader<TKey, TValue>(Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> load, int maxPerRound)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TaskCompletionSource<TValue?>> _inFlight = new();
    private readonly Channel<TKey> _asked = Channel.CreateUnbounded<TKey>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The value of <paramref name="key"/>: from the load under way for it, or from the next round.</summary>
    public Task<TValue?> LoadAsync(TKey key, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource<TValue?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _inFlight.GetOrAdd(key, mine);
        if (shared == mine)
        {
            _asked.Writer.TryWrite(key);
        }

        return shared.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Serves callers until <paramref name="stoppingToken"/> fires (the owner's background loop).</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var keys = new List<TKey>(maxPerRound);
        while (await _asked.Reader.WaitToReadAsync(stoppingToken))
        {
            keys.Clear();
            while (keys.Count < maxPerRound && _asked.Reader.TryRead(out var key))
            {
                keys.Add(key);
            }

            IReadOnlyDictionary<TKey, TValue>? values = null;
            Exception? failure = null;
            try
            {
                values = await load(keys, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                failure = ex;
            }

            foreach (var key in keys)
            {
                if (!_inFlight.TryRemove(key, out var waiting))
                {
                    continue;
                }

                if (failure is not null)
                {
                    waiting.TrySetException(failure);
                }
                else
                {
                    waiting.TrySetResult(values!.TryGetValue(key, out var value) ? value : default);
                }
            }
        }
    }
}
