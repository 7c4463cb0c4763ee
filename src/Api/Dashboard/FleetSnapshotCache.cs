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
    private (DateTimeOffset TakenAt, IReadOnlyList<FleetSnapshot.HostRow> Rows)? _current;
    private Task<IReadOnlyList<FleetSnapshot.HostRow>>? _refresh;

    /// <summary>Every host's row, at most about <see cref="RefreshInterval"/> (plus one rebuild) old.</summary>
    public async Task<IReadOnlyList<FleetSnapshot.HostRow>> GetAsync(CancellationToken cancellationToken)
    {
        Task<IReadOnlyList<FleetSnapshot.HostRow>>? wait = null;
        IReadOnlyList<FleetSnapshot.HostRow>? rows = null;
        lock (_gate)
        {
            if (_current is { } current)
            {
                rows = current.Rows;
            }

            if (_current is null || clock.GetUtcNow() - _current.Value.TakenAt >= RefreshInterval)
            {
                _refresh ??= RebuildAsync();
                wait = rows is null ? _refresh : null;
            }
        }

        return wait is null ? rows! : await wait.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets the rows (a change the viewer made must show on the next page).</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _current = null;
        }
    }

    private async Task<IReadOnlyList<FleetSnapshot.HostRow>> RebuildAsync()
    {
        // Off the request path: a request that goes away must not cancel the rebuild others wait for.
        await Task.Yield();
        try
        {
            var takenAt = clock.GetUtcNow();
            await using var scope = scopes.CreateAsyncScope();
            var rows = await scope.ServiceProvider.GetRequiredService<FleetSnapshot>().LoadFromDatabaseAsync(hostId: null, CancellationToken.None);
            lock (_gate)
            {
                _current = (takenAt, rows);
            }

            return rows;
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
