using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Fleet.Api.Data;
using Fleet.Api.Hosting;
using Fleet.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>
/// One database per provider with every migration applied, made once per test run, that
/// <see cref="TestDatabase.CreateMigratedAsync"/> copies: a test's Api then starts on a current schema instead of
/// applying every migration again for each of the suites' hundreds of tests. Migrating an empty database is still
/// what <c>MigrationSchemaTests</c>, <c>LegacyDatabaseUpgradeTests</c> and <c>ApiProcessTests</c> do.
/// </summary>
internal static class MigratedTemplates
{
    private static readonly Lock s_gate = new();
    private static readonly ConditionalWeakTable<PostgresServer, Task<string>> s_postgres = [];
    private static Task<string>? s_sqlite;

    /// <summary>The name of the migrated template database on <paramref name="server"/>.</summary>
    public static Task<string> PostgresAsync(PostgresServer server)
    {
        lock (s_gate)
        {
            // Not the asking test's token: a cancelled test must not leave every later one a cancelled template.
            return s_postgres.GetValue(server, s => MigratePostgresAsync(s));
        }
    }

    /// <summary>The path of the migrated template SQLite file (deleted when the test process exits).</summary>
    public static Task<string> SqliteFileAsync()
    {
        lock (s_gate)
        {
            return s_sqlite ??= MigrateSqliteAsync();
        }
    }

    private static async Task<string> MigratePostgresAsync(PostgresServer server)
    {
        var connectionString = await server.CreateDatabaseAsync("fleet_template");
        await MigrateAsync(new FleetDatabase(DatabaseProvider.Postgres, connectionString));
        // CREATE DATABASE … TEMPLATE fails while anyone is connected to the template.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        return new NpgsqlConnectionStringBuilder(connectionString).Database!;
    }

    private static async Task<string> MigrateSqliteAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "fleet-api-template-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TestDatabase.TryDelete(directory);
        var database = FleetDatabase.ForSqliteDirectory(directory);
        await MigrateAsync(database);
        await using (var connection = new SqliteConnection(database.ConnectionString))
        {
            // The migrator turned on write-ahead logging: fold the log into the file, so the file alone is the database.
            await connection.OpenAsync();
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
            SqliteConnection.ClearPool(connection);
        }

        return Path.Combine(directory, FleetDatabase.SqliteFileName);
    }

    /// <summary>Migrates as the Api does at start (<see cref="DatabaseMigrator"/>: on SQLite it also turns on WAL).</summary>
    private static async Task MigrateAsync(FleetDatabase database)
    {
        await using var db = database.CreateContext();
        await DatabaseMigrator.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }
}
