namespace Fleet.Api.Dashboard;

/// <summary>
/// The whole fleet's <see cref="FleetSnapshot"/> rows, kept in memory and rebuilt from the database at most once per
/// <see cref="RefreshInterval"/> (agents report at 1 Hz, so fresher is pointless). A request that finds them older
/// starts one rebuild in the background and answers with what it has (stale-while-revalidate): only the first request
/// after a start waits for the database, and a wall screen's refreshes cost a filter and a render, not three queries
/// over every host, link and member. Nothing is rebuilt while nobody looks at the overview.
/// </summary>
public sealed class FleetSnapshotCache(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>How old the rows may get before a request triggers a rebuild.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private FleetSnapshot.Taken? _current;
    private Task<FleetSnapshot.Taken>? _refresh;

    /// <summary>Every host's row, at most about <see cref="RefreshInterval"/> (plus one rebuild) old.</summary>
    public async Task<FleetSnapshot.Taken> GetAsync(CancellationToken cancellationToken)
    {
        Task<FleetSnapshot.Taken>? wait = null;
        FleetSnapshot.Taken? rows = null;
        lock (_gate)
        {
            rows = _current;
            if (_current is null || clock.GetUtcNow() - _current.TakenAt >= RefreshInterval)
            {
                _refresh ??= RebuildAsync();
                wait = rows is null ? _refresh : null;
            }
        }

        return wait is null ? rows! : await wait.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Rebuilds the rows now and waits for them (the live overview after a change): a rebuild already running may have
    /// read the database before the change, so it is waited for and then a new one starts unless a request started one.
    /// </summary>
    public async Task<FleetSnapshot.Taken> RefreshAsync(CancellationToken cancellationToken)
    {
        Task<FleetSnapshot.Taken>? running;
        lock (_gate)
        {
            running = _refresh;
        }

        if (running is not null)
        {
            // Its failure is its requests' concern; this one starts its own rebuild.
            await ((Task)running).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
        }

        Task<FleetSnapshot.Taken> fresh;
        lock (_gate)
        {
            fresh = _refresh ??= RebuildAsync();
        }

        return await fresh.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets the rows (a change the viewer made must show on the next page).</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _current = null;
        }
    }

    private async Task<FleetSnapshot.Taken> RebuildAsync()
    {
        // Off the request path: a request that goes away must not cancel the rebuild others wait for.
        await Task.Yield();
        try
        {
            var takenAt = clock.GetUtcNow();
            await using var scope = scopes.CreateAsyncScope();
            var rows = await scope.ServiceProvider.GetRequiredService<FleetSnapshot>().LoadFromDatabaseAsync(hostId: null, CancellationToken.None);
            var taken = new FleetSnapshot.Taken(takenAt, rows);
            lock (_gate)
            {
                _current = taken;
            }

            return taken;
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
