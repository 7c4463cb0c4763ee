using Npgsql;

namespace Fleet.Testing;

/// <summary>
/// Samples <c>pg_stat_activity</c> every 200 ms for one database and keeps the most connections the Api held at once:
/// its request pool (any connection whose <c>application_name</c> is not one of the Api's dedicated ones) and all of
/// them together. Its own connection is not counted; nothing else may use the database meanwhile (tests, benchmarks).
/// </summary>
public sealed class ConnectionSampler : IAsyncDisposable
{
    /// <summary>
    /// The Api's dedicated connections besides its pool (docs/operations.md, "Scaling out"): up to two writing
    /// ingested batches.
    /// </summary>
    public const int OwnConnections = 2;

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _maxPooled;
    private long _maxTotal;

    public ConnectionSampler(string connectionString)
    {
        _sampling = SampleAsync(connectionString, _stop.Token);
    }

    /// <summary>The most pooled connections seen so far.</summary>
    public long MaxPooled => Interlocked.Read(ref _maxPooled);

    /// <summary>The most connections of any kind seen so far.</summary>
    public long MaxTotal => Interlocked.Read(ref _maxTotal);

    /// <summary>Stops sampling; returns the most pooled connections seen.</summary>
    public async Task<long> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return MaxPooled;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task SampleAsync(string connectionString, CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(stop);
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FILTER (WHERE application_name NOT LIKE 'fleet-api %'), count(*)
            FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
            """,
            connection);
        while (!stop.IsCancellationRequested)
        {
            await using (var reader = await command.ExecuteReaderAsync(stop))
            {
                await reader.ReadAsync(stop);
                Raise(ref _maxPooled, reader.GetInt64(0));
                Raise(ref _maxTotal, reader.GetInt64(1));
            }

            await Task.Delay(200, stop);
        }
    }

    private static void Raise(ref long max, long value)
    {
        var current = Interlocked.Read(ref max);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref max, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
