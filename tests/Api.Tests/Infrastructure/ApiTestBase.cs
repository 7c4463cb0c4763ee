using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Contracts.Json;
using Fleet.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>
/// Base of the API suites that run on both providers: a fresh, migrated database and an in-process Api per test class
/// instance. Derived classes pick the provider; PostgreSQL ones carry the Postgres trait.
/// </summary>
public abstract class ApiTestBase(DatabaseProvider provider, PostgresFixture postgres) : IAsyncLifetime
{
    private TestDatabase? _database;
    private FleetApiFactory? _factory;

    protected DatabaseProvider Provider => provider;

    protected TestDatabase Database => _database ?? throw new InvalidOperationException("not initialised");

    protected FleetApiFactory Api => _factory ?? throw new InvalidOperationException("not initialised");

    /// <summary>The test clock, when <see cref="UseManualClock"/> is true.</summary>
    protected FakeTimeProvider Clock => Api.Clock ?? throw new InvalidOperationException("this suite uses the system clock");

    protected virtual bool UseManualClock => false;

    protected virtual IDictionary<string, string?>? Settings => null;

    /// <summary>The hosting environment the Api runs in (Production, as deployed, unless a suite says otherwise).</summary>
    protected virtual string Environment => "Production";

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateMigratedAsync(provider, postgres);
        _factory = new FleetApiFactory(_database, UseManualClock ? new FakeTimeProvider(DateTimeOffset.UtcNow) : null, Settings, Environment);
        _factory.Start();
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected HttpClient Client(string? bearer = null) => Api.CreateBearerClient(bearer);

    protected static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        var value = await response.Content.ReadFromJsonAsync<T>(FleetJson.Options);
        return value ?? throw new InvalidOperationException($"empty body ({response.StatusCode})");
    }
}
