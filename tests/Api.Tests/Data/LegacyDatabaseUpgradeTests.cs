using System.Data.Common;
using System.Globalization;
using System.Net.Http.Json;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Hosting;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Json;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Fleet.Api.Tests.Data;

/// <summary>
/// A database that Fleet's first, hand-written migration built and filled (<see cref="InitialSchemaDatabase"/>) must
/// be recognised by the generated migrations (its history row is their first migration's id) and upgraded by the
/// Api's own migrator with every row intact, ending on exactly the schema a fresh database gets. Both providers, both
/// in-process and through the real <c>fleet-api</c> (<c>fleet-api migrate</c> on PostgreSQL, migrate-on-start on
/// SQLite). Rows are compared in the legacy tables and columns only, so later migrations that add to the schema keep
/// this test meaningful unchanged.
/// </summary>
public abstract class LegacyDatabaseUpgradeTests(DatabaseProvider provider, PostgresFixture postgres)
{
    private static readonly Guid s_hostId = Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    private static readonly Guid s_linkId = Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c");
    private static readonly DateTime s_lastSeen = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1234560);

    [Fact]
    public async Task Migrate_DatabaseOfTheHandWrittenMigration_KeepsEveryRowAndEndsOnTheSchemaOfTheMigrations()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var legacy = await CreateLegacyDatabaseAsync(cancellationToken);
        await using var fresh = await TestDatabase.CreateAsync(provider, postgres);
        fresh.Database.EnsureDirectory();
        var before = await LegacyRows.ReadAsync(legacy, null, cancellationToken);

        await using (var db = legacy.CreateContext())
        {
            Assert.Equal(InitialSchemaDatabase.MigrationId, db.Database.GetMigrations().First());
            Assert.Equal([InitialSchemaDatabase.MigrationId], await db.Database.GetAppliedMigrationsAsync(cancellationToken));
            await DatabaseMigrator.MigrateAsync(db, NullLogger.Instance, cancellationToken);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(cancellationToken));
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(cancellationToken));
        }

        var after = await LegacyRows.ReadAsync(legacy, before, cancellationToken);
        foreach (var (table, rows) in before.Tables)
        {
            Assert.Equal(rows.Rows, after.Tables[table].Rows);
        }

        await using (var upgraded = legacy.CreateContext())
        await using (var migrated = fresh.CreateContext())
        {
            await migrated.Database.MigrateAsync(cancellationToken);
            var upgradedSchema = await SchemaDump.ReadAsync(upgraded);
            var freshSchema = await SchemaDump.ReadAsync(migrated);
            var missing = freshSchema.Except(upgradedSchema).ToList();
            var extra = upgradedSchema.Except(freshSchema).ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                $"Upgraded schema differs from a freshly migrated one ({provider}).\nOnly in the fresh database:\n  {string.Join("\n  ", missing)}\nOnly in the upgraded one:\n  {string.Join("\n  ", extra)}");
        }

        // The current model reads what the old version wrote, and identities continue after the old rows.
        await using var app = legacy.CreateContext();
        var host = await app.Hosts.Include(h => h.Labels).SingleAsync(h => h.Id == s_hostId, cancellationToken);
        Assert.Equal(s_lastSeen, host.LastSeenAt);
        Assert.Equal(DateTimeKind.Utc, host.LastSeenAt!.Value.Kind);
        Assert.Equal("lyon — Rhône", Assert.Single(host.Labels).Value);
        Assert.Equal("eth1", Assert.Single(host.Interfaces!).Name);
        // Capabilities stored as one boolean per kind (before issue 15) read as the set of kinds they stood for.
        Assert.Equal(["bond", "mptcp", "striper"], host.Capabilities!.Kinds);
        Assert.False(host.Capabilities.Supports(LinkKind.Teql));
        var link = await app.Links.Include(l => l.Members).SingleAsync(l => l.DeletedAt == null, cancellationToken);
        Assert.Equal((LinkKind.Bond, LinkPhase.Applying), (link.Spec.Kind, link.Phase));
        Assert.Equal(["eth1", "eth2"], link.Members.OrderBy(m => m.Position).Select(m => m.Interface));
        var key = new DataProtectionKeyEntity { FriendlyName = "after-upgrade", Xml = "<key/>" };
        var sample = new SampleEntity { LinkId = s_linkId, Member = "eth1", Time = s_lastSeen.AddSeconds(1), IntervalMs = 1000 };
        app.AddRange(key, sample);
        await app.SaveChangesAsync(cancellationToken);
        Assert.Equal((2, 3L), (key.Id, sample.Id));
    }

    [Fact]
    public async Task ApiProcess_OnDatabaseOfTheHandWrittenMigration_UpgradesAndServesItsRows()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var legacy = await CreateLegacyDatabaseAsync(cancellationToken);
        var before = await LegacyRows.ReadAsync(legacy, null, cancellationToken);

        // PostgreSQL: ApiProcess runs `fleet-api migrate` first; SQLite: the Api migrates its data directory at start.
        var options = provider == DatabaseProvider.Postgres
            ? new ApiProcessOptions { PostgresConnectionString = legacy.Database.ConnectionString }
            : new ApiProcessOptions { DataDirectory = legacy.DataDirectory };
        await using (var api = await ApiProcess.StartAsync(options, cancellationToken))
        {
            using var admin = api.CreateClient();
            var host = await admin.GetFromJsonAsync<HostDto>($"api/v1/hosts/{s_hostId}", FleetJson.Options, cancellationToken);
            Assert.Equal(("edge-lyon-01", "lyon — Rhône"), (host!.Name, host.Labels["site"]));
            Assert.Equal(new DateTimeOffset(s_lastSeen), host.LastSeenAt);
            var links = await admin.GetFromJsonAsync<IReadOnlyList<LinkDto>>($"api/v1/hosts/{s_hostId}/links", FleetJson.Options, cancellationToken);
            Assert.Equal(s_linkId, Assert.Single(links!).Id);
            await api.StopAsync();
        }

        // The Api adds its bootstrap key (and the audit entry for it); nothing of the old rows is lost or changed.
        var after = await LegacyRows.ReadAsync(legacy, before, cancellationToken);
        foreach (var (table, rows) in before.Tables)
        {
            Assert.Empty(rows.Rows.Except(after.Tables[table].Rows));
        }
    }

    private async Task<TestDatabase> CreateLegacyDatabaseAsync(CancellationToken cancellationToken)
    {
        var database = await TestDatabase.CreateAsync(provider, postgres);
        database.Database.EnsureDirectory();
        // Own unpooled connections: the SQLite dump turns foreign keys off for its session.
        DbConnection connection = provider == DatabaseProvider.Postgres
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.Database.ConnectionString) { Pooling = false }.ConnectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder(database.Database.ConnectionString) { Pooling = false }.ConnectionString);
        await using (connection)
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = provider == DatabaseProvider.Sqlite ? InitialSchemaDatabase.Sqlite : InitialSchemaDatabase.Postgres;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return database;
    }

    /// <summary>Every row of every table of the legacy database, as text, in the legacy columns only.</summary>
    private sealed record LegacyRows(IReadOnlyDictionary<string, (IReadOnlyList<string> Columns, IReadOnlyList<string> Rows)> Tables)
    {
        /// <summary>Reads all tables and columns, or, given <paramref name="shape"/>, the tables and columns it has.</summary>
        public static async Task<LegacyRows> ReadAsync(TestDatabase database, LegacyRows? shape, CancellationToken cancellationToken)
        {
            await using var db = database.CreateContext();
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            var tables = shape?.Tables.Keys.ToList() ?? await ListTablesAsync(connection, db.Database.IsNpgsql(), cancellationToken);
            var result = new Dictionary<string, (IReadOnlyList<string>, IReadOnlyList<string>)>(StringComparer.Ordinal);
            foreach (var table in tables)
            {
                var columns = shape is null ? "*" : string.Join(", ", shape.Tables[table].Columns.Select(c => $"\"{c}\""));
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT {columns} FROM \"{table}\"";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
                var rows = new List<string>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add(string.Join(" | ", names.Select((n, i) => $"{n}={(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))}")));
                }

                rows.Sort(StringComparer.Ordinal);
                result[table] = (names, rows);
            }

            // Not vacuous: the fixture fills every table of the first schema.
            Assert.True(shape is not null || (result.Count == 16 && result.Values.All(t => t.Item2.Count > 0)), $"legacy tables: {string.Join(", ", result.Select(t => $"{t.Key}={t.Value.Item2.Count}"))}");
            return new LegacyRows(result);
        }

        private static async Task<List<string>> ListTablesAsync(DbConnection connection, bool postgres, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = postgres
                ? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var tables = new List<string>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(0);
                if (!name.StartsWith("__EF", StringComparison.Ordinal))
                {
                    tables.Add(name);
                }
            }

            return tables;
        }
    }
}

public sealed class SqliteLegacyDatabaseUpgradeTests(PostgresFixture postgres) : LegacyDatabaseUpgradeTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresLegacyDatabaseUpgradeTests(PostgresFixture postgres) : LegacyDatabaseUpgradeTests(DatabaseProvider.Postgres, postgres);
