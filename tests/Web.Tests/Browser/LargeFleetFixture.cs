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

    public BrowserFixture Browser { get; } = new();

    public ApiProcess Api => _api ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _api = await ApiProcess.StartAsync(new ApiProcessOptions
        {
            AdminPassword = AdminPassword,
            Configuration = new Dictionary<string, string> { ["Fleet:RateLimits:LoginPerMinute"] = "1000" },
        });

        var options = new DbContextOptionsBuilder<FleetDbContext>();
        FleetDatabase.ForSqliteDirectory(Api.DataDirectory).Configure(options);
        await using var db = new FleetDbContext(options.Options);

        // Two seconds of history are enough here: the overview reads each member's latest sample.
        await FleetSeed.SeedAsync(db, Hosts, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(2), CancellationToken.None);
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
