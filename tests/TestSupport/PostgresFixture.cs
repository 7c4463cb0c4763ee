namespace Fleet.Testing;

/// <summary>
/// One PostgreSQL server per test assembly, started on first use (so a run filtered to SQLite never starts one).
/// Use as an assembly fixture (<c>[assembly: AssemblyFixture(typeof(PostgresFixture))]</c>) and call
/// <see cref="CreateDatabaseAsync"/> in tests marked <c>[Trait("Category", "Postgres")]</c>. Without PostgreSQL the
/// test is skipped loudly, or fails under <c>CI=true</c>, where nothing may be skipped.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PostgresServer? _server;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>The server, started if needed; skips (or fails in CI) when PostgreSQL is unavailable.</summary>
    public async Task<PostgresServer> GetServerAsync(CancellationToken cancellationToken = default)
    {
        if (PostgresServer.WhyUnavailable() is { } reason)
        {
            var message = $"NO POSTGRESQL: {reason}.";
            await Console.Error.WriteLineAsync($"!!! {message}");
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"{message} Under CI=true PostgreSQL tests may never be skipped.");
            }

            Assert.Skip(message);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _server ??= await PostgresServer.StartAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A fresh, empty database on the server; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var server = await GetServerAsync(cancellationToken);
        return await server.CreateDatabaseAsync(cancellationToken: cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _gate.Dispose();
    }
}
