using Fleet.Api.Configuration;
using Fleet.Api.Data.Migrations.Postgres;
using Fleet.Api.Data.Migrations.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Fleet.Api.Data;

/// <summary>The two database engines Fleet runs on.</summary>
public enum DatabaseProvider
{
    /// <summary>An embedded file under <c>Fleet:DataDirectory</c>; the default.</summary>
    Sqlite,

    /// <summary>A server named by <c>ConnectionStrings:Fleet</c>.</summary>
    Postgres,
}

/// <summary>Which database Fleet uses, from configuration, and how a <see cref="FleetDbContext"/> is set up for it.</summary>
/// <param name="Provider">The engine.</param>
/// <param name="ConnectionString">The ADO.NET connection string (never logged: it may hold a password).</param>
public sealed record FleetDatabase(DatabaseProvider Provider, string ConnectionString)
{
    public const string ConnectionStringName = "Fleet";
    public const string SqliteFileName = "fleet.db";

    /// <summary>PostgreSQL when <c>ConnectionStrings:Fleet</c> is set, else SQLite in <c>Fleet:DataDirectory</c>.</summary>
    public static FleetDatabase FromConfiguration(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new FleetDatabase(DatabaseProvider.Postgres, connectionString);
        }

        var dataDirectory = configuration[$"{FleetOptions.Section}:{nameof(FleetOptions.DataDirectory)}"];
        return ForSqliteDirectory(string.IsNullOrWhiteSpace(dataDirectory) ? FleetOptions.DefaultDataDirectory : dataDirectory);
    }

    public static FleetDatabase ForSqliteDirectory(string dataDirectory)
    {
        var path = Path.GetFullPath(Path.Combine(dataDirectory, SqliteFileName));
        return new FleetDatabase(DatabaseProvider.Sqlite, $"Data Source={path};Pooling=True");
    }

    /// <summary>Points <paramref name="builder"/> at this database.</summary>
    public void Configure(DbContextOptionsBuilder builder)
    {
        if (Provider == DatabaseProvider.Postgres)
        {
            builder.UseNpgsql(ConnectionString);
        }
        else
        {
            builder.UseSqlite(ConnectionString);
        }

        // Migrating through a context type that owns no migrations (a plain FleetDbContext, or the other provider's)
        // would only create the history table and report success: fail loudly instead.
        builder.ConfigureWarnings(w => w.Throw(RelationalEventId.MigrationsNotFound));
    }

    /// <summary>
    /// A context on this database of the provider's own type, the one that owns its migrations: use it to migrate.
    /// The Api's pool hands out the same types (<see cref="FleetDbContextServices"/>).
    /// </summary>
    public FleetDbContext CreateContext() => Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteFleetDbContext(Options<SqliteFleetDbContext>()),
        DatabaseProvider.Postgres => new PostgresFleetDbContext(Options<PostgresFleetDbContext>()),
        _ => throw new ArgumentOutOfRangeException(nameof(Provider), Provider, null),
    };

    private DbContextOptions<T> Options<T>()
        where T : FleetDbContext
    {
        var builder = new DbContextOptionsBuilder<T>();
        Configure(builder);
        return builder.Options;
    }

    /// <summary>Creates the SQLite data directory if needed (owner-only: the database holds credential hashes).</summary>
    public void EnsureDirectory()
    {
        if (Provider != DatabaseProvider.Sqlite)
        {
            return;
        }

        var path = ConnectionString["Data Source=".Length..ConnectionString.IndexOf(';', StringComparison.Ordinal)];
        var directory = Path.GetDirectoryName(path)!;
        if (Directory.Exists(directory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
