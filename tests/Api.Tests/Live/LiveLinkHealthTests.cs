using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Live;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Live;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Api.Tests.Live;

/// <summary>
/// Issue 19, stale badges: the link page's header health badge never changed live (it said Healthy while a member was
/// Down in the live table). The Api now pushes the link's health, by the one rule, whenever a member's health, a
/// member's loss against the warning threshold, or the phase changes, and only then.
/// </summary>
public sealed class LiveLinkHealthTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingLiveHub _hub = new();
    private readonly Guid _hostId = Guid.CreateVersion7();
    private readonly Guid _linkId = Guid.CreateVersion7();
    private TestDatabase _database = null!;
    private PooledDbContextFactory<FleetDbContext> _contexts = null!;
    private LiveFanout _fanout = null!;
    private LiveLinkHealth _health = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, postgres);
        await using var db = _database.CreateContext();
        await db.Database.MigrateAsync(Cancel);
        var now = _clock.GetUtcNow().UtcDateTime;
        db.Hosts.Add(new HostEntity { Id = _hostId, Name = "h", Hostname = "h", EnrolledAt = now });
        db.Links.Add(new LinkEntity
        {
            Id = _linkId,
            HostId = _hostId,
            Name = "bond0",
            Kind = LinkKind.Bond,
            Spec = Specs.Bond(),
            DesiredGeneration = 1,
            ObservedGeneration = 1,
            Phase = LinkPhase.Applied,
            PhaseChangedAt = now,
            CreatedAt = now,
            UpdatedAt = now,
            Members = [new MemberEntity { Id = Guid.CreateVersion7(), Interface = "eth1", Position = 0 }, new MemberEntity { Id = Guid.CreateVersion7(), Interface = "eth2", Position = 1 }],
        });
        await db.SaveChangesAsync(Cancel);
        var options = new DbContextOptionsBuilder<FleetDbContext>();
        _database.Database.Configure(options);
        _contexts = new PooledDbContextFactory<FleetDbContext>(options.Options);
        _fanout = new LiveFanout(_hub, _contexts, _clock, NullLogger<LiveFanout>.Instance);
        _health = new LiveLinkHealth(_contexts, _fanout, NullLogger<LiveLinkHealth>.Instance);
        await _fanout.SubscribeLinkAsync("c1", _linkId, Cancel);
    }

    public async ValueTask DisposeAsync()
    {
        _health.Dispose();
        _fanout.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task MemberHealthLossAndPhase_EachChangePushesTheLinksHealth_NothingElseDoes()
    {
        Assert.Equal(LinkHealth.Healthy, await AfterAsync(() => _health.SamplesStored([Sample("eth1", MemberHealth.Up), Sample("eth2", MemberHealth.Up)])));
        Assert.Equal(LinkHealth.Degraded, await AfterAsync(() => _health.SamplesStored([Sample("eth2", MemberHealth.Down)])));
        Assert.Equal(LinkHealth.Healthy, await AfterAsync(() => _health.SamplesStored([Sample("eth2", MemberHealth.Up)])));
        Assert.Equal(LinkHealth.Degraded, await AfterAsync(() => _health.SamplesStored([Sample("eth1", MemberHealth.Up, loss: 5)])));
        Assert.Equal(LinkHealth.Healthy, await AfterAsync(() => _health.SamplesStored([Sample("eth1", MemberHealth.Up, loss: 0.2)])));

        // Samples that change nothing the rule looks at (loss stays under the threshold) push nothing.
        Assert.Null(await AfterAsync(() => _health.SamplesStored([Sample("eth1", MemberHealth.Up, loss: 0.4), Sample("eth2", MemberHealth.Up)])));

        await using (var db = await _contexts.CreateDbContextAsync(Cancel))
        {
            await db.Links.Where(l => l.Id == _linkId).ExecuteUpdateAsync(s => s.SetProperty(l => l.Phase, LinkPhase.Failed), Cancel);
        }

        Assert.Equal(LinkHealth.Degraded, await AfterAsync(() => _health.PhaseChanged(_linkId)));
        Assert.Equal(LinkHealth.Down, await AfterAsync(() => _health.SamplesStored([Sample("eth1", MemberHealth.Down), Sample("eth2", MemberHealth.Down)])));
    }

    /// <summary>Runs <paramref name="change"/>, publishes, and returns the health of the state pushed for it (null: none).</summary>
    private async Task<LinkHealth?> AfterAsync(Action change)
    {
        var before = _hub.Pushes.Count;
        change();
        await _health.PublishAsync(Cancel);
        _clock.Advance(TimeSpan.FromSeconds(1));
        _fanout.Flush();
        var pushed = _hub.Pushes.Skip(before).Where(p => p.Method == nameof(ILiveClient.LinkState)).Select(p => (LiveLinkState)p.Payload).ToList();
        return pushed.Count == 0 ? null : Assert.Single(pushed).Health;
    }

    private MemberSample Sample(string member, MemberHealth health, double? loss = null) => new()
    {
        LinkId = _linkId,
        Member = member,
        Time = _clock.GetUtcNow(),
        IntervalMs = 1000,
        Health = health,
        LossPercent = loss,
    };
}
