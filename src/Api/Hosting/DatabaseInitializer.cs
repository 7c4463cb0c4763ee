using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Api.Links;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Hosting;

/// <summary>
/// At start: creates the SQLite data directory, applies migrations (by default on SQLite only; PostgreSQL is migrated
/// with <c>fleet-api migrate</c>), refuses readiness while migrations are pending, runs the bootstrap and encrypts
/// striper keys an earlier version stored in clear.
/// Runs before Kestrel accepts requests.
/// </summary>
internal sealed partial class DatabaseInitializer(
    IServiceScopeFactory scopes,
    FleetDatabase database,
    IOptions<FleetOptions> options,
    DatabaseReadiness readiness,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        database.EnsureDirectory();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FleetDbContext>();
        if (options.Value.Database.MigrateOnStart ?? database.Provider == DatabaseProvider.Sqlite)
        {
            // Migrating applies every pending migration or throws: nothing is left to ask about after it.
            await DatabaseMigrator.MigrateAsync(db, logger, cancellationToken);
        }
        else if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList() is { Count: > 0 } pending)
        {
            var problem = $"{pending.Count} migration(s) pending ({string.Join(", ", pending)}); run 'fleet-api migrate'";
            LogPending(logger, problem);
            readiness.Set(problem);
            return;
        }

        await scope.ServiceProvider.GetRequiredService<Bootstrapper>().RunAsync(cancellationToken);
        await scope.ServiceProvider.GetRequiredService<StriperKeyProtection>().ProtectStoredKeysAsync(db, cancellationToken);
        readiness.Set(null);
        LogReady(logger, database.Provider);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "Database schema is not current: {Problem}")]
    private static partial void LogPending(ILogger logger, string problem);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Database ready ({Provider})")]
    private static partial void LogReady(ILogger logger, DatabaseProvider provider);
}

/// <summary>Applies migrations: at start (SQLite) and as the <c>fleet-api migrate</c> command.</summary>
internal static partial class DatabaseMigrator
{
    public static async Task MigrateAsync(FleetDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        LogApplying(logger, pending.Count, string.Join(", ", pending));
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // Write-ahead logging lets dashboards read while agents' batches are written; it persists in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>The <c>migrate</c> sub-command: 0 when the schema is current afterwards.</summary>
    public static async Task<int> RunCommandAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Fleet.Api.Migrate");
        var database = services.GetRequiredService<FleetDatabase>();
        try
        {
            database.EnsureDirectory();
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FleetDbContext>();
            await MigrateAsync(db, logger, cancellationToken);
            var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
            LogCurrent(logger, database.Provider, applied.Count, applied.LastOrDefault());
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e, database.Provider);
            return 1;
        }
    }

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Applying {Count} migration(s): {Migrations}")]
    private static partial void LogApplying(ILogger logger, int count, string migrations);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "Database schema is current ({Provider}, {Count} migration(s), last {Last})")]
    private static partial void LogCurrent(ILogger logger, DatabaseProvider provider, int count, string? last);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Error, Message = "Migrating the {Provider} database failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, DatabaseProvider provider);
}
