using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Web.Tests.Browser;

/// <summary>
/// The real Api as a process on loopback with its demo fleet (<c>Fleet:Demo=true</c>: ten simulated hosts enrolled
/// through the real front door, connected to <c>/hubs/agent</c>, one link each of mixed kinds, an aggregator among them), a viewer besides the
/// bootstrap admin, and Debian's Chromium. Shared by the browser tests of <see cref="DashboardCollection"/>.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string AdminPassword = "admin-password-for-tests";
    public const string ViewerName = "olivia";
    public const string ViewerPassword = "viewer-password-for-tests";
    public const int Hosts = Fleet.Api.Demo.DemoFleet.Hosts;

    private ApiProcess? _api;

    public BrowserFixture Browser { get; } = new();

    public ApiProcess Api => _api ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _api = await ApiProcess.StartAsync(new ApiProcessOptions
        {
            AdminPassword = AdminPassword,
            Configuration = new Dictionary<string, string>
            {
                ["Fleet:Demo"] = "true",
                // Every test signs in from 127.0.0.1, most as admin; the defaults (10 a minute per address and per
                // account) are for people: on a quiet machine the suite signs admin in more often than that.
                ["Fleet:RateLimits:LoginPerMinute"] = "1000",
                ["Fleet:RateLimits:LoginPerAccountPerMinute"] = "1000",
            },
        });

        await using var db = CreateDbContext();
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

        // The demo fleet enrolls and gets its links in the background: wait until every link is applied.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (await db.Links.CountAsync(l => l.DeletedAt == null && l.Phase == LinkPhase.Applied) < Hosts)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the demo fleet did not apply its links within 120 s:\n" + Api.Output);
            }

            await Task.Delay(250);
        }
    }

    /// <summary>A context on the Api's database (SQLite in its data directory).</summary>
    public FleetDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<FleetDbContext>();
        FleetDatabase.ForSqliteDirectory(Api.DataDirectory).Configure(options);
        return new FleetDbContext(options.Options);
    }

    /// <summary>
    /// The demo links of <paramref name="kind"/> (the demo has two stripers, two bonds, one MPTCP, one teql); a host a test
    /// added and decommissioned again (<see cref="SimulatedExtraHost"/>) is not among them.
    /// </summary>
    public async Task<IReadOnlyList<(Guid Id, string Host)>> LinksAsync(LinkKind kind)
    {
        await using var db = CreateDbContext();
        var links = await db.Links.AsNoTracking()
            .Where(l => l.Kind == kind && l.DeletedAt == null && l.Host!.DecommissionedAt == null)
            .OrderBy(l => l.Host!.Name)
            .Select(l => new { l.Id, Host = l.Host!.Name })
            .ToListAsync();
        return links.Select(l => (l.Id, l.Host)).ToList();
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
