using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Bench.Overview;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Web.Tests.Browser;

/// <summary>
/// The real Api as a process on loopback with a seeded fleet, a viewer and an operator besides the bootstrap admin,
/// and Debian's Chromium. Shared by the browser tests of <see cref="DashboardCollection"/>.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string AdminPassword = "admin-password-for-tests";
    public const string ViewerName = "olivia";
    public const string ViewerPassword = "viewer-password-for-tests";
    public const int Hosts = 6;

    private ApiProcess? _api;

    public BrowserFixture Browser { get; } = new();

    public ApiProcess Api => _api ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _api = await ApiProcess.StartAsync(new ApiProcessOptions { AdminPassword = AdminPassword });
        await using var db = CreateDbContext();
        await FleetSeed.SeedAsync(db, Hosts, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60), CancellationToken.None);
        var viewer = new UserEntity
        {
            Id = Guid.CreateVersion7(),
            UserName = ViewerName,
            PasswordHash = "",
            Role = FleetRole.Viewer,
            SecurityStamp = Guid.NewGuid().ToString("N"),
            CreatedAt = DateTime.UtcNow,
        };
        viewer.PasswordHash = new PasswordHasher<UserEntity>().HashPassword(viewer, ViewerPassword);
        db.Users.Add(viewer);
        await db.SaveChangesAsync();
    }

    /// <summary>A context on the Api's database (SQLite in its data directory).</summary>
    public FleetDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<FleetDbContext>();
        FleetDatabase.ForSqliteDirectory(Api.DataDirectory).Configure(options);
        return new FleetDbContext(options.Options);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "Dashboard";
}
