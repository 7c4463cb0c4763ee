using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Fleet.Api.Data.Migrations.Sqlite;

/// <summary>
/// <see cref="FleetDbContext"/> on SQLite: the type that owns the SQLite migrations in this folder (EF finds a
/// context's migrations and model snapshot by its exact type, so each provider's set needs a type of its own).
/// </summary>
public sealed class SqliteFleetDbContext(DbContextOptions<SqliteFleetDbContext> options) : FleetDbContext(options);

/// <summary>
/// How <c>dotnet ef</c> makes a <see cref="SqliteFleetDbContext"/> (<c>--context SqliteFleetDbContext</c>), without
/// starting the Api. Adding a migration opens no connection; the file named here is never created by it.
/// </summary>
public sealed class SqliteFleetDbContextDesignTimeFactory : IDesignTimeDbContextFactory<SqliteFleetDbContext>
{
    public SqliteFleetDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<SqliteFleetDbContext>();
        FleetDatabase.ForSqliteDirectory(Path.Combine(Path.GetTempPath(), "fleet-design-time")).Configure(builder);
        return new SqliteFleetDbContext(builder.Options);
    }
}
