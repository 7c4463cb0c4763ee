using System.Data.Common;
using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Configuration;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Agents;

/// <summary>
/// Issue 20, item 7: a member's health reached REST up to a second after its batch was stored, because the observed
/// columns were written on a one-second timer. A stored batch that changes a member's health is now written at once;
/// here the clock never moves, so the timer never fires.
/// </summary>
public abstract class HostActivityTests(DatabaseProvider provider, PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset s_t0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(s_t0);
    private readonly Guid _hostId = Guid.CreateVersion7();
    private readonly Guid _linkId = Guid.CreateVersion7();
    private TestDatabase _database = null!;
    private PooledDbContextFactory<FleetDbContext> _contexts = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider, postgres);
        await using var db = _database.CreateContext();
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        var options = new DbContextOptionsBuilder<FleetDbContext>();
        _database.Database.Configure(options);
        _contexts = new PooledDbContextFactory<FleetDbContext>(options.Options);
        var now = s_t0.UtcDateTime;
        db.Hosts.Add(new HostEntity { Id = _hostId, Name = "h", Hostname = "h", EnrolledAt = now });
        var spec = new LinkSpec { Kind = LinkKind.Bond, Name = "bond0", Members = [new MemberSpec { Interface = "eth0" }, new MemberSpec { Interface = "eth1" }], Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 } };
        db.Links.Add(new LinkEntity
        {
            Id = _linkId, HostId = _hostId, Name = "bond0", Kind = LinkKind.Bond, Spec = spec, DesiredGeneration = 1, ObservedGeneration = 1, Phase = LinkPhase.Applied, PhaseChangedAt = now, CreatedAt = now, UpdatedAt = now,
            Members = [new MemberEntity { Id = Guid.CreateVersion7(), Interface = "eth0", Position = 0, Health = MemberHealth.Up }, new MemberEntity { Id = Guid.CreateVersion7(), Interface = "eth1", Position = 1, Health = MemberHealth.Up }],
        });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task SamplesStored_HealthChanged_WrittenWithoutWaitingForTheTimer()
    {
        var readiness = new DatabaseReadiness();
        readiness.Set(null);
        using var activity = new HostActivity(_contexts, new AgentConnections(), readiness, _time, NullLogger<HostActivity>.Instance);
        await activity.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            activity.SamplesStored(_hostId, [Sample("eth0", MemberHealth.Up), Sample("eth1", MemberHealth.Down)]);
            Assert.Equal(MemberHealth.Down, await HealthOfAsync("eth1", MemberHealth.Down));
            Assert.Equal(MemberHealth.Up, await HealthOfAsync("eth0", MemberHealth.Up));

            activity.SamplesStored(_hostId, [Sample("eth1", MemberHealth.Up)]);
            Assert.Equal(MemberHealth.Up, await HealthOfAsync("eth1", MemberHealth.Up));
        }
        finally
        {
            await activity.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task FlushAsync_FirstSamplesMatchStoredHealth_NoUpdate()
    {
        // An Api that starts hears every member for the first time: a health equal to the stored one is no change to write.
        var (contexts, updates) = CountingUpdates();
        using var activity = new HostActivity(contexts, new AgentConnections(), new DatabaseReadiness(), _time, NullLogger<HostActivity>.Instance);

        activity.SamplesStored(_hostId, [Sample("eth0", MemberHealth.Up), Sample("eth1", MemberHealth.Up)]);
        await activity.FlushAsync(lastSeenToo: false, TestContext.Current.CancellationToken);
        var afterFirstSamples = updates.Count;
        activity.SamplesStored(_hostId, [Sample("eth1", MemberHealth.Down)]);
        await activity.FlushAsync(lastSeenToo: false, TestContext.Current.CancellationToken);

        Assert.Equal(0, afterFirstSamples);
        Assert.Equal(1, updates.Count);
        Assert.Equal(MemberHealth.Down, await HealthOfAsync("eth1", MemberHealth.Down));
    }

    [Fact]
    public async Task FlushAsync_MembersOfALinkChangeInOneSample_OneUpdate()
    {
        // A fleet's first samples after its links were created change every member: one statement per link, not per member.
        var (contexts, updates) = CountingUpdates();
        using var activity = new HostActivity(contexts, new AgentConnections(), new DatabaseReadiness(), _time, NullLogger<HostActivity>.Instance);

        activity.SamplesStored(_hostId, [Sample("eth0", MemberHealth.Down), Sample("eth1", MemberHealth.Down)]);
        await activity.FlushAsync(lastSeenToo: false, TestContext.Current.CancellationToken);

        Assert.Equal(1, updates.Count);
        Assert.Equal(MemberHealth.Down, await HealthOfAsync("eth0", MemberHealth.Down));
        Assert.Equal(MemberHealth.Down, await HealthOfAsync("eth1", MemberHealth.Down));
    }

    /// <summary>Contexts on the test database that count the UPDATE statements on <c>members</c> they send.</summary>
    private (PooledDbContextFactory<FleetDbContext> Contexts, MemberUpdateCounter Updates) CountingUpdates()
    {
        var updates = new MemberUpdateCounter();
        var options = new DbContextOptionsBuilder<FleetDbContext>();
        _database.Database.Configure(options);
        options.AddInterceptors(updates);
        return (new PooledDbContextFactory<FleetDbContext>(options.Options), updates);
    }

    private MemberSample Sample(string member, MemberHealth health) => new()
    {
        LinkId = _linkId,
        Member = member,
        Time = _time.GetUtcNow(),
        IntervalMs = 1000,
        Health = health,
    };

    /// <summary>The member's stored health once it is <paramref name="expected"/>, or what it still is after 10 s.</summary>
    private async Task<MemberHealth> HealthOfAsync(string member, MemberHealth expected)
    {
        var health = MemberHealth.Unknown;
        for (var waited = 0; waited < 10_000; waited += 20)
        {
            await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
            health = await db.Members.Where(m => m.LinkId == _linkId && m.Interface == member).Select(m => m.Health).SingleAsync(TestContext.Current.CancellationToken);
            if (health == expected)
            {
                return health;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return health;
    }

    /// <summary>Counts the UPDATE statements on <c>members</c> the contexts send.</summary>
    private sealed class MemberUpdateCounter : DbCommandInterceptor
    {
        private int _count;

        public int Count => _count;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.TrimStart().StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) && command.CommandText.Contains("members", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }

            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}

public sealed class SqliteHostActivityTests(PostgresFixture postgres) : HostActivityTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresHostActivityTests(PostgresFixture postgres) : HostActivityTests(DatabaseProvider.Postgres, postgres);
