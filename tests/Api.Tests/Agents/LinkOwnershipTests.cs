using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Fleet.Api.Tests.Agents;

/// <summary>
/// The agent hub's fast ownership check (<see cref="LinkOwnership.IsKnownOwnBatch"/>) on a real SQLite file: it vouches
/// for a batch only when the cache shows every link the caller's and every member one its link has; anything else goes
/// to the full check.
/// </summary>
public sealed class LinkOwnershipTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTime s_now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly Guid _host = Guid.CreateVersion7();
    private readonly Guid _otherHost = Guid.CreateVersion7();
    private readonly Guid _link = Guid.CreateVersion7();
    private readonly Guid _otherLink = Guid.CreateVersion7();
    private TestDatabase _database = null!;
    private LinkOwnership _ownership = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, postgres);
        await using var db = _database.CreateContext();
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        foreach (var (host, link) in new[] { (_host, _link), (_otherHost, _otherLink) })
        {
            var spec = new LinkSpec { Kind = LinkKind.Bond, Name = "bond0", Members = [new MemberSpec { Interface = "eth0" }, new MemberSpec { Interface = "eth1" }], Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 } };
            db.Hosts.Add(new HostEntity { Id = host, Name = host.ToString(), Hostname = "h", EnrolledAt = s_now });
            db.Links.Add(new LinkEntity { Id = link, HostId = host, Name = "bond0", Kind = LinkKind.Bond, Spec = spec, DesiredGeneration = 1, ObservedGeneration = 1, Phase = LinkPhase.Applied, PhaseChangedAt = s_now, CreatedAt = s_now, UpdatedAt = s_now });
        }

        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        var options = new DbContextOptionsBuilder<FleetDbContext>();
        _database.Database.Configure(options);
        _ownership = new LinkOwnership(new PooledDbContextFactory<FleetDbContext>(options.Options), TimeProvider.System);
        await _ownership.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _ownership.StopAsync(CancellationToken.None);
        _ownership.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public void IsKnownOwnBatch_NothingCachedYet_False()
    {
        Assert.False(_ownership.IsKnownOwnBatch(_host, Batch(Sample(_link, "eth0"))));
    }

    [Fact]
    public async Task IsKnownOwnBatch_OwnLinkAndItsMembersAfterTheFullCheck_True()
    {
        await LearnAsync(_link);

        Assert.True(_ownership.IsKnownOwnBatch(_host, Batch(Sample(_link, "eth0"), Sample(_link, "eth1"))));
    }

    [Fact]
    public async Task IsKnownOwnBatch_AnotherHostsLinkInASampleOrAnEvent_False()
    {
        await LearnAsync(_link, _otherLink);

        Assert.False(_ownership.IsKnownOwnBatch(_host, Batch(Sample(_link, "eth0"), Sample(_otherLink, "eth0"))));
        Assert.False(_ownership.IsKnownOwnBatch(_host, Batch(Sample(_link, "eth0")) with
        {
            Events = [new AgentEvent { Time = s_now, Kind = AgentEventKind.Failover, LinkId = _otherLink, Message = "m" }],
        }));
    }

    [Fact]
    public async Task IsKnownOwnBatch_MemberTheLinkDoesNotHave_False()
    {
        await LearnAsync(_link);

        Assert.False(_ownership.IsKnownOwnBatch(_host, Batch(Sample(_link, "eth0"), Sample(_link, "eth9"))));
    }

    /// <summary>
    /// An aggregator's agent reports each site's session and paths as members (docs/aggregator.md, "Watching it"); they
    /// were refused as members the link does not have, so no site's state at the aggregator was ever stored.
    /// </summary>
    [Fact]
    public async Task NonMembersAsync_AggregatorsSiteMembers_AcceptedAndOnlyThose()
    {
        var aggregator = Guid.CreateVersion7();
        await using (var db = _database.CreateContext())
        {
            var striper = LinkSpecs.Striper().Striper!;
            var spec = new LinkSpec
            {
                Kind = LinkKind.Aggregator,
                Name = "agg0",
                Members = [new MemberSpec { Interface = "eth0" }],
                Aggregator = new AggregatorOptions
                {
                    Sites =
                    [
                        new AggregatorSiteSpec { Id = 1, Paths = 2, Prefixes = ["10.100.0.16/28"], Striper = striper },
                        new AggregatorSiteSpec { Id = 7, Paths = 1, Prefixes = ["10.100.0.32/28"], Striper = striper },
                    ],
                },
            };
            db.Links.Add(new LinkEntity { Id = aggregator, HostId = _host, Name = "agg0", Kind = LinkKind.Aggregator, Spec = spec, DesiredGeneration = 1, ObservedGeneration = 1, Phase = LinkPhase.Applied, PhaseChangedAt = s_now, CreatedAt = s_now, UpdatedAt = s_now });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await _ownership.OwnersAsync([aggregator], TestContext.Current.CancellationToken);
        var reported = new[] { "eth0", "s1", "s1.0", "s1.1", "s7", "s7.0", "s7.1", "s2", "s2.0" }.Select(m => Sample(aggregator, m)).ToList();

        var unknown = await _ownership.NonMembersAsync(reported, TestContext.Current.CancellationToken);

        Assert.Equal(["s2", "s2.0", "s7.1"], unknown.Select(u => u.Member).Order(StringComparer.Ordinal));
    }

    /// <summary>What the hub's full check does for a batch the cache cannot vouch for: owners, then members.</summary>
    private async Task LearnAsync(params Guid[] links)
    {
        await _ownership.OwnersAsync(links, TestContext.Current.CancellationToken);
        await _ownership.NonMembersAsync([.. links.Select(l => Sample(l, "eth0"))], TestContext.Current.CancellationToken);
    }

    private static SampleBatch Batch(params MemberSample[] samples) => new() { Sequence = 1, Samples = samples, Events = [] };

    private static MemberSample Sample(Guid link, string member) => new() { LinkId = link, Member = member, Time = s_now, IntervalMs = 1000 };
}
