using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Fleet.Api.Data.Migrations.Postgres;

/// <summary>
/// <see cref="FleetDbContext"/> on PostgreSQL: the type that owns the PostgreSQL migrations in this folder (EF finds a
/// context's migrations and model snapshot by its exact type, so each provider's set needs a type of its own).
/// </summary>
public sealed class PostgresFleetDbContext(DbContextOptions<PostgresFleetDbContext> options) : FleetDbContext(options);

/// <summary>
/// How <c>dotnet ef</c> makes a <see cref="PostgresFleetDbContext"/> (<c>--context PostgresFleetDbContext</c>),
/// without starting the Api. Adding a migration opens no connection, so the server named here need not exist.
/// </summary>
public sealed class PostgresFleetDbContextDesignTimeFactory : IDesignTimeDbContextFactory<PostgresFleetDbContext>
{
    public PostgresFleetDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PostgresFleetDbContext>();
        new FleetDatabase(DatabaseProvider.Postgres, "Host=localhost;Database=fleet").Configure(builder);
        return new PostgresFleetDbContext(builder.Options);
    }
}
