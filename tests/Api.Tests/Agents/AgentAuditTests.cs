using Microsoft.Extensions.Time.Testing;
using System.Text.Json;
using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Fleet.Api.Tests.Agents;

/// <summary>Refused agent reports in the audit log: one row at once, the repeats of a window counted in one more.</summary>
public sealed class AgentAuditTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly Guid s_host = Guid.CreateVersion7();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private PooledDbContextFactory<FleetDbContext> _contexts = null!;
    private AgentAudit _audit = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, postgres);
        _database.Database.EnsureDirectory();
        await using (var db = _database.CreateContext())
        {
            await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        }

        var options = new DbContextOptionsBuilder<FleetDbContext>();
        _database.Database.Configure(options);
        _contexts = new PooledDbContextFactory<FleetDbContext>(options.Options);
        _audit = new AgentAudit(_contexts, Options.Create(new AgentHubOptions { RejectionAuditInterval = TimeSpan.FromMinutes(1) }), _time, NullLogger<AgentAudit>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        _audit.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task RejectedAsync_AHundredRefusalsInAWindow_OneRowThenOneCountingTheRest()
    {
        for (var i = 0; i < 100; i++)
        {
            await _audit.RejectedAsync(s_host, RejectedReport.Batch, $"batch {i}", "invalid batch: events[0].message contains U+0000", null, TestContext.Current.CancellationToken);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await _audit.RejectedAsync(s_host, RejectedReport.State, "state of link x", "the link is not this host's", null, TestContext.Current.CancellationToken);
        Assert.Equal([AgentAudit.RejectedAction, AgentAudit.RejectedAction], await ActionsAsync());

        _time.Advance(TimeSpan.FromMinutes(1));
        await _audit.FlushAsync(TestContext.Current.CancellationToken);

        var rows = await RowsAsync();
        Assert.Equal([AgentAudit.RejectedAction, AgentAudit.RejectedAction, AgentAudit.RepeatedAction], rows.Select(r => r.Action));
        using var repeated = JsonDocument.Parse(rows[2].After!);
        Assert.Equal(99, repeated.RootElement.GetProperty("count").GetInt32());
        Assert.Equal($"agent:{s_host}", rows[2].Actor);
    }

    [Fact]
    public async Task RejectedAsync_OneRefusalPerWindow_OneRowEachNothingCounted()
    {
        for (var i = 0; i < 3; i++)
        {
            await _audit.RejectedAsync(s_host, RejectedReport.Batch, $"batch {i}", "reason", null, TestContext.Current.CancellationToken);
            _time.Advance(TimeSpan.FromMinutes(2));
            await _audit.FlushAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal([AgentAudit.RejectedAction, AgentAudit.RejectedAction, AgentAudit.RejectedAction], await ActionsAsync());
    }

    private async Task<List<string>> ActionsAsync() => [.. (await RowsAsync()).Select(r => r.Action)];

    private async Task<List<(string Action, string Actor, string? After)>> RowsAsync()
    {
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        var rows = await db.AuditLog.AsNoTracking().OrderBy(a => a.Id).Select(a => new { a.Action, a.Actor, a.After }).ToListAsync(TestContext.Current.CancellationToken);
        return [.. rows.Select(r => (r.Action, r.Actor, r.After))];
    }
}
