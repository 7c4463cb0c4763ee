using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Live;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Links;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Api.Tests.Live;

/// <summary>
/// A <see cref="LiveFanout"/> on a real, migrated SQLite database holding one host with one bond link, pushing into a
/// <see cref="RecordingLiveHub"/>. The suites differ only in the link's generations, phase and members, and in what
/// else they seed.
/// </summary>
internal sealed class LiveFanoutBed(TestDatabase database, PooledDbContextFactory<FleetDbContext> contexts, LiveFanout fanout, Guid hostId, Guid linkId, RecordingLiveHub hub) : IAsyncDisposable
{
    public RecordingLiveHub Hub { get; } = hub;

    public TestDatabase Database { get; } = database;

    public PooledDbContextFactory<FleetDbContext> Contexts { get; } = contexts;

    public LiveFanout Fanout { get; } = fanout;

    public Guid HostId { get; } = hostId;

    public Guid LinkId { get; } = linkId;

    /// <summary>
    /// Creates the database with host and link (<paramref name="spec"/>: a one-member active-backup bond over eth0 when
    /// null), runs <paramref name="seed"/> (given the context, the link's id and the clock's now) before saving, and
    /// starts the fanout on <paramref name="clock"/>, relaying to <paramref name="relay"/> when given.
    /// </summary>
    public static async Task<LiveFanoutBed> CreateAsync(
        PostgresFixture postgres,
        TimeProvider clock,
        long desiredGeneration,
        long observedGeneration,
        LinkPhase phase,
        LinkSpec? spec = null,
        IEnumerable<string>? memberEntities = null,
        Action<FleetDbContext, Guid, DateTime>? seed = null,
        ILiveRelay? relay = null)
    {
        var cancel = TestContext.Current.CancellationToken;
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, postgres);
        var hostId = Guid.CreateVersion7();
        var linkId = Guid.CreateVersion7();
        await using (var db = database.CreateContext())
        {
            await db.Database.MigrateAsync(cancel);
            var now = clock.GetUtcNow().UtcDateTime;
            db.Hosts.Add(new HostEntity { Id = hostId, Name = "h", Hostname = "h", EnrolledAt = now });
            db.Links.Add(new LinkEntity
            {
                Id = linkId,
                HostId = hostId,
                Name = "bond0",
                Kind = LinkKind.Bond,
                Spec = spec ?? new LinkSpec { Kind = LinkKind.Bond, Name = "bond0", Members = [new MemberSpec { Interface = "eth0" }], Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 } },
                DesiredGeneration = desiredGeneration,
                ObservedGeneration = observedGeneration,
                Phase = phase,
                PhaseChangedAt = now,
                CreatedAt = now,
                UpdatedAt = now,
                Members = [.. (memberEntities ?? []).Select((m, i) => new MemberEntity { Id = Guid.CreateVersion7(), Interface = m, Position = i })],
            });
            seed?.Invoke(db, linkId, now);
            await db.SaveChangesAsync(cancel);
        }

        var options = new DbContextOptionsBuilder<FleetDbContext>();
        database.Database.Configure(options);
        var contexts = new PooledDbContextFactory<FleetDbContext>(options.Options);
        var hub = new RecordingLiveHub();
        var fanout = new LiveFanout(hub, contexts, clock, NullLogger<LiveFanout>.Instance, relay);
        return new LiveFanoutBed(database, contexts, fanout, hostId, linkId, hub);
    }

    public async ValueTask DisposeAsync()
    {
        Fanout.Dispose();
        await Database.DisposeAsync();
    }
}
