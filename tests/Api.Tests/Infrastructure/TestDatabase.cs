using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Fleet.Api.Data;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Fleet.Api.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database for one test class: a real SQLite file in a temp directory, or a new database on the
/// PostgreSQL test server. Can dump every row of every table, to prove a refused request changed nothing.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _directory;

    private TestDatabase(FleetDatabase database, string? directory)
    {
        Database = database;
        _directory = directory;
    }

    public FleetDatabase Database { get; }

    public DatabaseProvider Provider => Database.Provider;

    /// <summary>The SQLite data directory (SQLite only).</summary>
    public string? DataDirectory => _directory;

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, PostgresFixture postgres)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            var connectionString = await postgres.CreateDatabaseAsync();
            return new TestDatabase(new FleetDatabase(DatabaseProvider.Postgres, connectionString), null);
        }

        var directory = Path.Combine(Path.GetTempPath(), "fleet-api-test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        Directory.CreateDirectory(directory);
        return new TestDatabase(FleetDatabase.ForSqliteDirectory(directory), directory);
    }

    /// <summary>
    /// A fresh database with every migration applied, a copy of <see cref="MigratedTemplates"/>' template: what the
    /// Api's migration at start would make of an empty one, without the time it takes.
    /// </summary>
    public static async Task<TestDatabase> CreateMigratedAsync(DatabaseProvider provider, PostgresFixture postgres)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            var server = await postgres.GetServerAsync();
            var template = await MigratedTemplates.PostgresAsync(server);
            var connectionString = await server.CreateDatabaseFromTemplateAsync(template);
            return new TestDatabase(new FleetDatabase(DatabaseProvider.Postgres, connectionString), null);
        }

        var templateFile = await MigratedTemplates.SqliteFileAsync();
        var database = await CreateAsync(DatabaseProvider.Sqlite, postgres);
        File.Copy(templateFile, Path.Combine(database.DataDirectory!, FleetDatabase.SqliteFileName));
        return database;
    }

    /// <summary>A context of the provider's own type, which can also migrate the database.</summary>
    public FleetDbContext CreateContext() => Database.CreateContext();

    /// <summary>
    /// Every row of every Fleet table, rendered as text in a stable order. Columns that record the mere use of a
    /// credential (<c>last_used_at</c>) are left out: authenticating is not a change the request asked for.
    /// </summary>
    public async Task<string> SnapshotAsync()
    {
        await using var db = CreateContext();
        var text = new StringBuilder();
        foreach (var entity in db.Model.GetEntityTypes().OrderBy(e => e.GetTableName(), StringComparer.Ordinal))
        {
            var table = entity.GetTableName()!;
            var columns = entity.GetProperties().Select(p => p.GetColumnName()).Where(c => c != "last_used_at").OrderBy(c => c, StringComparer.Ordinal).ToList();
            var select = $"SELECT {string.Join(", ", columns.Select(c => $"\"{c}\""))} FROM \"{table}\"";
            var rows = new List<string>();
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = select;
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var values = new string[reader.FieldCount];
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        values[i] = reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "";
                    }

                    rows.Add(string.Join(" | ", values));
                }
            }

            rows.Sort(StringComparer.Ordinal);
            text.Append("## ").Append(table).Append(" (").Append(string.Join(", ", columns)).Append(")\n");
            foreach (var row in rows)
            {
                text.Append(row).Append('\n');
            }
        }

        return text.ToString();
    }

    public ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_directory is not null)
        {
            TryDelete(_directory);
        }

        return ValueTask.CompletedTask;
    }

    internal static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
