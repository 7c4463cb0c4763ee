using Fleet.Api.Data;
using Fleet.Bench.Overview;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Web.Tests.Browser;

/// <summary>
/// The real Api as a process on loopback without the demo, with 1,000 simulated hosts (2,000 links, 8,000 members,
/// their latest samples and events) written into its database by the overview benchmark's <see cref="FleetSeed"/>,
/// and Debian's Chromium. Shared by the browser tests of <see cref="LargeFleetCollection"/>.
/// </summary>
public sealed class LargeFleetFixture : IAsyncLifetime
{
    public const string AdminPassword = "admin-password-for-large-fleet";
    public const int Hosts = 1000;

    private ApiProcess? _api;
    private DateTime _seededAt;

    public BrowserFixture Browser { get; } = new();

    public ApiProcess Api => _api ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _api = await ApiProcess.StartAsync(new ApiProcessOptions
        {
            AdminPassword = AdminPassword,
            Configuration = new Dictionary<string, string> { ["Fleet:RateLimits:LoginPerMinute"] = "1000", ["Fleet:RateLimits:LoginPerAccountPerMinute"] = "1000" },
        });

        await using var db = CreateDbContext();

        // Two seconds of history are enough here: the overview reads each member's latest sample.
        _seededAt = DateTime.UtcNow;
        await FleetSeed.SeedAsync(db, Hosts, _seededAt, TimeSpan.FromSeconds(2), CancellationToken.None);
    }

    /// <summary>A context on the Api's database (SQLite in its data directory).</summary>
    public FleetDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<FleetDbContext>();
        FleetDatabase.ForSqliteDirectory(Api.DataDirectory).Configure(options);
        return new FleetDbContext(options.Options);
    }

    /// <summary>
    /// The seeded hosts that were online are seen again now, as if their agents had just reported: the overview calls
    /// a host offline (and its links' health unknown) after <c>FleetSnapshot.OnlineWindow</c> of silence, which a
    /// loaded machine can spend on the tests before. The hosts seeded offline stay offline.
    /// </summary>
    public async Task MarkOnlineHostsSeenAsync()
    {
        await using var db = CreateDbContext();
        var now = DateTime.UtcNow;
        var since = _seededAt.AddMinutes(-1);
        await db.Hosts.Where(h => h.Name.StartsWith("edge-") && h.LastSeenAt > since)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.LastSeenAt, now));
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
public sealed class LargeFleetCollection : ICollectionFixture<LargeFleetFixture>
{
    public const string Name = "LargeFleet";
}
