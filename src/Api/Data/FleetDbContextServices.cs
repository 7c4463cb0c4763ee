using Fleet.Api.Data.Migrations.Postgres;
using Fleet.Api.Data.Migrations.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Data;

/// <summary>
/// The Api's contexts: <see cref="IDbContextFactory{FleetDbContext}"/> (for singletons) and a scoped
/// <see cref="FleetDbContext"/> (per request), both from one pool of the configured provider's own context type, so
/// migrating through them finds that provider's migrations (<c>Data/Migrations/&lt;Provider&gt;</c>).
/// </summary>
internal static class FleetDbContextServices
{
    public static IServiceCollection AddFleetDbContexts(this IServiceCollection services)
    {
        // The provider comes from configuration, read when the first context is made. Both pools are registered;
        // a pool is built on first use, so only the configured provider's ever exists.
        services.AddPooledDbContextFactory<SqliteFleetDbContext>((sp, o) => sp.GetRequiredService<FleetDatabase>().Configure(o));
        services.AddPooledDbContextFactory<PostgresFleetDbContext>((sp, o) => sp.GetRequiredService<FleetDatabase>().Configure(o));
        services.AddSingleton<IDbContextFactory<FleetDbContext>, ProviderContextFactory>();
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<FleetDbContext>>().CreateDbContext());
        return services;
    }

    private sealed class ProviderContextFactory(FleetDatabase database, IServiceProvider services) : IDbContextFactory<FleetDbContext>
    {
        private readonly Func<FleetDbContext> _create = database.Provider switch
        {
            DatabaseProvider.Sqlite => services.GetRequiredService<IDbContextFactory<SqliteFleetDbContext>>().CreateDbContext,
            DatabaseProvider.Postgres => services.GetRequiredService<IDbContextFactory<PostgresFleetDbContext>>().CreateDbContext,
            _ => throw new ArgumentOutOfRangeException(nameof(database), database.Provider, null),
        };

        public FleetDbContext CreateDbContext() => _create();
    }
}
