using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Tests.Data;

/// <summary>
/// The hand-written migrations (no EF design-time tooling here) must build exactly the schema the EF model
/// describes: one database migrated, one created by <c>EnsureCreated</c> from the model, compared through the
/// engine's own catalog. Run on both providers.
/// </summary>
public abstract class MigrationSchemaTests(DatabaseProvider provider, PostgresFixture postgres)
{
    [Fact]
    public async Task Migrate_EmptyDatabase_BuildsTheSchemaOfTheModel()
    {
        await using var migratedDatabase = await TestDatabase.CreateAsync(provider, postgres);
        await using var createdDatabase = await TestDatabase.CreateAsync(provider, postgres);

        await using var migrated = migratedDatabase.CreateContext();
        migratedDatabase.Database.EnsureDirectory();
        await migrated.Database.MigrateAsync(TestContext.Current.CancellationToken);
        await using var created = createdDatabase.CreateContext();
        createdDatabase.Database.EnsureDirectory();
        Assert.True(await created.Database.EnsureCreatedAsync(TestContext.Current.CancellationToken));

        var fromMigrations = await SchemaDump.ReadAsync(migrated);
        var fromModel = await SchemaDump.ReadAsync(created);

        // Not vacuous: every mapped table is there, with the columns the ingest path depends on.
        foreach (var table in migrated.Model.GetEntityTypes().Select(e => e.GetTableName()))
        {
            Assert.Contains(fromModel, l => l.StartsWith($"table {table}", StringComparison.Ordinal));
        }

        Assert.Contains(fromModel, l => l.StartsWith("column samples.reorder_depth_max ", StringComparison.Ordinal));
        Assert.Contains(fromModel, l => l.Contains("ingested_batches", StringComparison.Ordinal) && (l.Contains("PRIMARY KEY (host_id, sequence)", StringComparison.Ordinal) || l.Contains("column ingested_batches.sequence", StringComparison.Ordinal)));
        var missing = fromModel.Except(fromMigrations).ToList();
        var extra = fromMigrations.Except(fromModel).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"Migrated schema differs from the model ({provider}).\nIn the model but not migrated:\n  {string.Join("\n  ", missing)}\nMigrated but not in the model:\n  {string.Join("\n  ", extra)}");
    }

    [Fact]
    public async Task Migrate_Twice_IsIdempotentAndLeavesNothingPending()
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        database.Database.EnsureDirectory();
        await using (var first = database.CreateContext())
        {
            await first.Database.MigrateAsync(TestContext.Current.CancellationToken);
        }

        await using var second = database.CreateContext();
        await second.Database.MigrateAsync(TestContext.Current.CancellationToken);

        Assert.Empty(await second.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        Assert.Equal(second.Database.GetMigrations(), await second.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken));
    }
}

public sealed class SqliteMigrationSchemaTests(PostgresFixture postgres) : MigrationSchemaTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresMigrationSchemaTests(PostgresFixture postgres) : MigrationSchemaTests(DatabaseProvider.Postgres, postgres);
