using Fleet.Api.Data;

namespace Fleet.Api.Dashboard;

/// <summary>
/// Every member's latest values for the whole fleet, kept in memory and refreshed from the database at most once per
/// <see cref="RefreshInterval"/> (samples arrive at 1 Hz, so fresher is pointless). A request that finds the values
/// older than that starts one refresh in the background and answers with what it has (stale-while-revalidate): only
/// the very first request waits for the database. Nothing is refreshed while nobody looks at the dashboard.
/// </summary>
public sealed class LatestValuesCache(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>How old the values may get before a request triggers a refresh.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    /// <summary>How far back a refresh looks for samples (older ones are stale anyway).</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private Snapshot? _current;
    private Task<Snapshot>? _refresh;

    private sealed record Snapshot(DateTimeOffset TakenAt, IReadOnlyDictionary<(Guid LinkId, string Member), LatestMemberValue> Values);

    /// <summary>The latest values, at most about <see cref="RefreshInterval"/> old (plus one refresh's duration).</summary>
    public async Task<IReadOnlyDictionary<(Guid LinkId, string Member), LatestMemberValue>> GetAsync(CancellationToken cancellationToken)
    {
        Task<Snapshot>? wait = null;
        Snapshot? current;
        lock (_gate)
        {
            current = _current;
            if (current is null || clock.GetUtcNow() - current.TakenAt >= RefreshInterval)
            {
                _refresh ??= RefreshAsync();
                wait = current is null ? _refresh : null;
            }
        }

        return wait is null ? current!.Values : (await wait.WaitAsync(cancellationToken)).Values;
    }

    private async Task<Snapshot> RefreshAsync()
    {
        // Off the request path: a request that is cancelled must not cancel the refresh others wait for.
        await Task.Yield();
        try
        {
            var takenAt = clock.GetUtcNow();
            await using var scope = scopes.CreateAsyncScope();
            var database = new DatabaseLatestMemberValues(scope.ServiceProvider.GetRequiredService<FleetDbContext>());
            var values = await database.GetAsync(null, takenAt - Horizon, CancellationToken.None);
            var snapshot = new Snapshot(takenAt, values);
            lock (_gate)
            {
                _current = snapshot;
            }

            return snapshot;
        }
        finally
        {
            lock (_gate)
            {
                _refresh = null;
            }
        }
    }
}

/// <summary>
/// The dashboard's <see cref="ILatestMemberValues"/>: the fleet-wide cache for the overview, the database directly for
/// a host's or a link's few members (always current).
/// </summary>
public sealed class CachedLatestMemberValues(LatestValuesCache cache, FleetDbContext db) : ILatestMemberValues
{
    public async Task<IReadOnlyDictionary<(Guid LinkId, string Member), LatestMemberValue>> GetAsync(
        IReadOnlyCollection<Guid>? linkIds, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (linkIds is not null)
        {
            return await new DatabaseLatestMemberValues(db).GetAsync(linkIds, since, cancellationToken);
        }

        var all = await cache.GetAsync(cancellationToken);
        var fresh = new Dictionary<(Guid, string), LatestMemberValue>(all.Count);
        foreach (var (key, value) in all)
        {
            if (value.Time >= since)
            {
                fresh[key] = value;
            }
        }

        return fresh;
    }
}
