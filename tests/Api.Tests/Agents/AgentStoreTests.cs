using Fleet.Api.Agents;
using Fleet.Api.Data;
using Fleet.Api.Data.Entities;
using Fleet.Api.Live;
using Fleet.Api.Samples.Ingest;
using Fleet.Api.Tests.Infrastructure;
using Fleet.Api.Tests.Live;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;
using Fleet.Contracts.Rest;
using Fleet.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Fleet.Api.Tests.Agents;

/// <summary>
/// The agent hub's writes on both databases: batches stored exactly once (PostgreSQL binary COPY, SQLite batched EF
/// inserts) and link states recorded in order even when the hub runs an agent's reports in parallel.
/// </summary>
public abstract class AgentStoreTests(DatabaseProvider provider, PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset s_t0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private TestDatabase _database = null!;
    private PooledDbContextFactory<FleetDbContext> _contexts = null!;
    private Guid _hostId;
    private Guid _linkId;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(provider, postgres);
        await using var db = _database.CreateContext();
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        var options = new DbContextOptionsBuilder<FleetDbContext>();
        _database.Database.Configure(options);
        _contexts = new PooledDbContextFactory<FleetDbContext>(options.Options);
        _hostId = Guid.CreateVersion7();
        _linkId = Guid.CreateVersion7();
        var now = s_t0.UtcDateTime;
        db.Hosts.Add(new HostEntity { Id = _hostId, Name = "h", Hostname = "h", EnrolledAt = now });
        var spec = new LinkSpec { Kind = LinkKind.Bond, Name = "bond0", Members = [new MemberSpec { Interface = "eth0" }], Bond = new BondOptions { Mode = BondMode.ActiveBackup, MiimonMs = 100 } };
        db.Links.Add(new LinkEntity { Id = _linkId, HostId = _hostId, Name = "bond0", Kind = LinkKind.Bond, Spec = spec, DesiredGeneration = 2, ObservedGeneration = 1, Phase = LinkPhase.Pending, PhaseChangedAt = now, CreatedAt = now, UpdatedAt = now });
        db.PolicyRevisions.Add(new PolicyRevisionEntity { Id = Guid.CreateVersion7(), LinkId = _linkId, Generation = 2, Spec = spec, Author = "test", CreatedAt = now, Outcome = PolicyOutcome.Pending });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected IBatchStore Store() => provider == DatabaseProvider.Postgres ? new PostgresBatchStore(_database.Database) : new SqliteBatchStore(_contexts);

    protected PooledDbContextFactory<FleetDbContext> Contexts => _contexts;

    protected IngestItem Batch(long sequence, int samples, string message = "m", Guid queue = default) => new(
        _hostId,
        new SampleBatch
        {
            Sequence = sequence,
            QueueId = queue,
            Samples = [.. Enumerable.Range(0, samples).Select(i => new MemberSample
            {
                LinkId = _linkId,
                Member = $"eth{i}",
                Time = s_t0.AddSeconds(sequence).AddTicks(1234567),
                IntervalMs = 1000,
                TxBytes = (sequence * 100) + i,
                RttMs = i % 2 == 0 ? 1.5 : null,
                Health = MemberHealth.Degraded,
            })],
            Events = [new AgentEvent { Time = s_t0, Kind = AgentEventKind.Failover, Severity = EventSeverity.Warning, LinkId = _linkId, Member = "eth0", Message = message }],
        },
        s_t0.UtcDateTime);

    [Fact]
    public async Task StoreAsync_NewAndResentBatches_StoresEachOnce()
    {
        var store = Store();

        var first = await store.StoreAsync([Batch(1, 3), Batch(2, 2)], TestContext.Current.CancellationToken);
        var again = await store.StoreAsync([Batch(2, 2), Batch(3, 1)], TestContext.Current.CancellationToken);

        Assert.Equal([true, true], first);
        Assert.Equal([false, true], again);
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(6, await db.Samples.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(3, await db.Events.CountAsync(TestContext.Current.CancellationToken));
        var batch = await db.IngestedBatches.SingleAsync(b => b.Sequence == 1, TestContext.Current.CancellationToken);
        Assert.Equal(3, batch.SampleCount);
        Assert.Equal(s_t0.AddSeconds(1).AddTicks(1234560).UtcDateTime, batch.FirstSampleAt);

        // Every column arrives as sent (times to the microsecond, nulls as nulls, health as its number).
        var sample = await db.Samples.SingleAsync(s => s.TxBytes == 101, TestContext.Current.CancellationToken);
        Assert.Equal("eth1", sample.Member);
        Assert.Null(sample.RttMs);
        Assert.Equal(MemberHealth.Degraded, sample.Health);
        Assert.Equal(s_t0.AddSeconds(1).AddTicks(1234560).UtcDateTime, sample.Time);
        var e = await db.Events.FirstAsync(TestContext.Current.CancellationToken);
        Assert.Equal(AgentEventKind.Failover, e.Kind);
        Assert.Equal(EventSeverity.Warning, e.Severity);
        Assert.Equal(_hostId, e.HostId);
    }

    [Fact]
    public async Task StoreAsync_ClassSamplesAndTheBatchRow_StoredAsSent()
    {
        var sent = Batch(4, 3);
        var classes = new[] { Class("voice", "fec", pinned: null, first: 1), Class("bulk", "pin", pinned: "eth2", first: 100) };
        sent = sent with { Batch = sent.Batch with { Striper = new StriperReport { Classes = classes } } };

        var stored = await Store().StoreAsync([sent], TestContext.Current.CancellationToken);

        Assert.Equal([true], stored);
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        var batch = await db.IngestedBatches.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal((_hostId, Guid.Empty, 4L, 3), (batch.HostId, batch.QueueId, batch.Sequence, batch.SampleCount));
        Assert.Equal(s_t0.AddSeconds(4).AddTicks(1234560).UtcDateTime, batch.FirstSampleAt);
        Assert.Equal(s_t0.AddSeconds(4).AddTicks(1234560).UtcDateTime, batch.LastSampleAt);
        Assert.Equal(s_t0.UtcDateTime, batch.ReceivedAt);
        var rows = await db.ClassSamples.AsNoTracking().OrderBy(c => c.TxPackets).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(classes.Select(IngestRows.Class).Select(Comparable), rows.Select(Comparable));
    }

    [Fact]
    public async Task StoreAsync_SameSequenceFromANewQueue_IsStoredNotTakenForAResend()
    {
        var store = Store();
        var oldQueue = Guid.NewGuid();
        var newQueue = Guid.NewGuid();
        await store.StoreAsync([Batch(1, 2, queue: oldQueue), Batch(2, 2, queue: oldQueue)], TestContext.Current.CancellationToken);

        // The agent lost its queue and numbers from 1 again: new batches, not resends.
        var restarted = await store.StoreAsync([Batch(1, 1, queue: newQueue), Batch(2, 1, queue: oldQueue)], TestContext.Current.CancellationToken);

        Assert.Equal([true, false], restarted);
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(5, await db.Samples.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(3, await db.IngestedBatches.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task StoreAsync_LongEventMessageEndingInASurrogatePair_IsCutBeforeThePair()
    {
        var message = new string('x', EventEntity.MessageMaxLength - 1) + "\U0001F600" + "tail";

        await Store().StoreAsync([Batch(1, 0, message)], TestContext.Current.CancellationToken);

        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(new string('x', EventEntity.MessageMaxLength - 1), (await db.Events.SingleAsync(TestContext.Current.CancellationToken)).Message);
    }

    [Fact]
    public async Task StoreAsync_LongEventMessage_IsCut()
    {
        await Store().StoreAsync([Batch(1, 0, new string('x', 5000))], TestContext.Current.CancellationToken);

        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(EventEntity.MessageMaxLength, (await db.Events.SingleAsync(TestContext.Current.CancellationToken)).Message.Length);
    }

    [Fact]
    public async Task RecordAsync_ReportsInOrder_RecordsPhaseAndConfirms()
    {
        var recorder = Recorder();

        var applying = await recorder.RecordAsync(_hostId, State(LinkPhase.Applying, awaiting: true, second: 1), Order(1), TestContext.Current.CancellationToken);
        var applied = await recorder.RecordAsync(_hostId, State(LinkPhase.Applied, observed: 2, second: 2), Order(2), TestContext.Current.CancellationToken);

        Assert.Equal(LinkStateOutcome.Confirm, applying);
        Assert.Equal(LinkStateOutcome.Recorded, applied);
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        var link = await db.Links.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(LinkPhase.Applied, link.Phase);
        Assert.Equal(2, link.ObservedGeneration);
        Assert.Equal(2, link.DesiredGeneration);
        Assert.Equal(PolicyOutcome.Applied, (await db.PolicyRevisions.SingleAsync(TestContext.Current.CancellationToken)).Outcome);
    }

    [Fact]
    public async Task RecordAsync_OlderReportArrivingLate_IsIgnored()
    {
        var recorder = Recorder();
        await recorder.RecordAsync(_hostId, State(LinkPhase.Applied, observed: 2, second: 2), Order(2), TestContext.Current.CancellationToken);

        var late = await recorder.RecordAsync(_hostId, State(LinkPhase.Applying, awaiting: true, second: 1), Order(1), TestContext.Current.CancellationToken);

        Assert.Equal(LinkStateOutcome.Ignored, late);
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(LinkPhase.Applied, (await db.Links.SingleAsync(TestContext.Current.CancellationToken)).Phase);
    }

    [Fact]
    public async Task RecordAsync_AgentClockSteppedBack_StateStillRecordedAndConfirmed()
    {
        var recorder = Recorder();
        await recorder.RecordAsync(_hostId, State(LinkPhase.Applying, second: 0), Order(1), TestContext.Current.CancellationToken);

        // The host's clock was stepped back a minute (NTP): the next report is dated before the previous one.
        var awaiting = await recorder.RecordAsync(_hostId, State(LinkPhase.Applying, awaiting: true, second: -60), Order(2), TestContext.Current.CancellationToken);

        Assert.Equal(LinkStateOutcome.Confirm, awaiting);
    }

    [Fact]
    public async Task RecordAsync_LateReportOfAnEarlierConnection_IsIgnored()
    {
        var recorder = Recorder();
        await recorder.RecordAsync(_hostId, State(LinkPhase.Applied, observed: 2, second: 2), new ReportOrder(Connection: 2, Sequence: 1), TestContext.Current.CancellationToken);

        var late = await recorder.RecordAsync(_hostId, State(LinkPhase.Failed, second: 3), new ReportOrder(Connection: 1, Sequence: 9), TestContext.Current.CancellationToken);

        Assert.Equal(LinkStateOutcome.Ignored, late);
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(LinkPhase.Applied, (await db.Links.SingleAsync(TestContext.Current.CancellationToken)).Phase);
    }

    [Fact]
    public async Task RecordAsync_ErrorWithNul_StoredWithTheCharacterReplaced()
    {
        var outcome = await Recorder().RecordAsync(_hostId, State(LinkPhase.Failed, second: 1) with { Error = "bad\0news" }, Order(1), TestContext.Current.CancellationToken);

        Assert.Equal(LinkStateOutcome.Recorded, outcome);
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal("bad\uFFFDnews", (await db.Links.SingleAsync(TestContext.Current.CancellationToken)).LastError);
    }

    [Fact]
    public async Task RecordAsync_OtherHostsLink_IsForbiddenAndChangesNothing()
    {
        var outcome = await Recorder().RecordAsync(Guid.NewGuid(), State(LinkPhase.Failed, second: 1), Order(1), TestContext.Current.CancellationToken);

        Assert.Equal(LinkStateOutcome.Forbidden, outcome);
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(LinkPhase.Pending, (await db.Links.SingleAsync(TestContext.Current.CancellationToken)).Phase);
    }

    [Fact]
    public async Task RecordAsync_OlderGenerationsOutcome_KeepsTheNewOnesPhase()
    {
        var outcome = await Recorder().RecordAsync(_hostId, State(LinkPhase.RolledBack, observed: 1, second: 1) with { TargetGeneration = 1, Error = "old" }, Order(1), TestContext.Current.CancellationToken);

        Assert.Equal(LinkStateOutcome.Recorded, outcome);
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        var link = await db.Links.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(LinkPhase.Pending, link.Phase);
        Assert.Null(link.LastError);
    }

    /// <summary>Issue 10: a link's removal runs inside commit-confirm, so the Api must confirm a removal it hears of.</summary>
    [Fact]
    public async Task RecordAsync_RemovalOfADeletedLinkAwaitingConfirm_Confirms()
    {
        await DeleteLinkAsync();

        var outcome = await Recorder().RecordAsync(_hostId, State(LinkPhase.Applying, awaiting: true, second: 1) with { Removing = true }, Order(1), TestContext.Current.CancellationToken);

        Assert.Equal(LinkStateOutcome.Confirm, outcome);
    }

    [Fact]
    public async Task RecordAsync_RemovalOfALinkStillDesired_IsNotConfirmed()
    {
        var outcome = await Recorder().RecordAsync(_hostId, State(LinkPhase.Applying, awaiting: true, second: 1) with { Removing = true }, Order(1), TestContext.Current.CancellationToken);

        Assert.NotEqual(LinkStateOutcome.Confirm, outcome);
    }

    [Fact]
    public async Task RecordAsync_RemovalOfAnotherHostsDeletedLink_IsForbidden()
    {
        await DeleteLinkAsync();

        var outcome = await Recorder().RecordAsync(Guid.NewGuid(), State(LinkPhase.Applying, awaiting: true, second: 1) with { Removing = true }, Order(1), TestContext.Current.CancellationToken);

        Assert.Equal(LinkStateOutcome.Forbidden, outcome);
    }

    /// <summary>A removal lost on the backplane is sent again until the agent's removal report (docs/agent.md, "Removals").</summary>
    [Fact]
    public async Task RecordAsync_RemovalReportOfADeletedLink_AcknowledgesTheRemoval_AlsoWithNoGenerationAfterANewerState()
    {
        var recorder = Recorder();
        Assert.Equal(LinkStateOutcome.Recorded, await recorder.RecordAsync(_hostId, State(LinkPhase.Applying, second: 1), Order(1), TestContext.Current.CancellationToken));
        await DeleteLinkAsync();
        Assert.Null(await RemovalAcknowledgedAtAsync());

        // Nothing of the link was on the host: no generation, and still not dropped as older than the state above.
        var outcome = await recorder.RecordAsync(_hostId, State(LinkPhase.Applying, second: 2) with { Removing = true, TargetGeneration = 0 }, Order(2), TestContext.Current.CancellationToken);

        Assert.Equal(LinkStateOutcome.Ignored, outcome);
        Assert.NotNull(await RemovalAcknowledgedAtAsync());
    }

    [Fact]
    public async Task RecordAsync_RemovalReportOfALinkStillDesired_AcknowledgesNothing()
    {
        await Recorder().RecordAsync(_hostId, State(LinkPhase.Applying, awaiting: true, second: 1) with { Removing = true }, Order(1), TestContext.Current.CancellationToken);

        Assert.Null(await RemovalAcknowledgedAtAsync());
    }

    private async Task<DateTime?> RemovalAcknowledgedAtAsync()
    {
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        return (await db.Links.SingleAsync(TestContext.Current.CancellationToken)).RemovalAcknowledgedAt;
    }

    private async Task DeleteLinkAsync()
    {
        await using var db = await _contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        await db.Links.ExecuteUpdateAsync(s => s.SetProperty(l => l.DeletedAt, s_t0.UtcDateTime), TestContext.Current.CancellationToken);
    }

    private LinkStateRecorder Recorder()
    {
        var fanout = new LiveFanout(new RecordingLiveHub(), _contexts, TimeProvider.System, NullLogger<LiveFanout>.Instance);
        return new LinkStateRecorder(_contexts, fanout, TimeProvider.System, NullLogger<LinkStateRecorder>.Instance);
    }

    /// <summary>A class sample whose thirteen counters all differ (from <paramref name="first"/> on), so a column swapped shows.</summary>
    private ClassSample Class(string name, string action, string? pinned, long first) => new()
    {
        LinkId = _linkId,
        Class = name,
        Action = action,
        Time = s_t0.AddTicks(7654321),
        IntervalMs = 1000,
        TxPackets = first,
        TxBytes = first + 1,
        DuplicatesSent = first + 2,
        DuplicateBytes = first + 3,
        FecBlocks = first + 4,
        FecParityPackets = first + 5,
        FecParityBytes = first + 6,
        DropNoPath = first + 7,
        RxPackets = first + 8,
        RxBytes = first + 9,
        DuplicatesDropped = first + 10,
        FecRecovered = first + 11,
        FecLost = first + 12,
        PinnedMember = pinned,
    };

    /// <summary>A class sample row's columns, its generated key left out.</summary>
    private static string Comparable(ClassSampleEntity c) =>
        $"{c.LinkId} {c.Class} {c.Action} {c.Time:O} {c.IntervalMs} {c.TxPackets} {c.TxBytes} {c.DuplicatesSent} {c.DuplicateBytes} {c.FecBlocks} "
        + $"{c.FecParityPackets} {c.FecParityBytes} {c.DropNoPath} {c.RxPackets} {c.RxBytes} {c.DuplicatesDropped} {c.FecRecovered} {c.FecLost} {c.PinnedMember ?? "-"}";

    private static ReportOrder Order(long sequence) => new(Connection: 1, Sequence: sequence);

    private ObservedLinkState State(LinkPhase phase, bool awaiting = false, long observed = 1, int second = 0) => new()
    {
        LinkId = _linkId,
        ObservedGeneration = observed,
        TargetGeneration = 2,
        Phase = phase,
        AwaitingConfirm = awaiting,
        Time = s_t0.AddSeconds(second),
    };
}

public sealed class SqliteAgentStoreTests(PostgresFixture postgres) : AgentStoreTests(DatabaseProvider.Sqlite, postgres);

[Trait(TestCategories.Name, TestCategories.Postgres)]
public sealed class PostgresAgentStoreTests(PostgresFixture postgres) : AgentStoreTests(DatabaseProvider.Postgres, postgres)
{
    [Fact]
    public async Task StoreAsync_GroupWithABatchPostgresRefuses_NothingOfTheGroupStoredAndItsKeysFreeForTheRetry()
    {
        // PostgreSQL refuses a NUL in text (SQLite stores it): the group's transaction fails as a whole, and
        // SampleIngestion stores the halves again; so the claim must not survive the failure.
        var store = Store();
        var poisoned = Batch(2, 1, message: "bad\0byte");

        var refusal = await Assert.ThrowsAsync<PostgresException>(() => store.StoreAsync([Batch(1, 2), poisoned], TestContext.Current.CancellationToken));
        var retried = await store.StoreAsync([Batch(1, 2)], TestContext.Current.CancellationToken);

        Assert.Contains("invalid byte sequence", refusal.Message, StringComparison.Ordinal);
        Assert.Equal([true], retried);
        await using var db = await Contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, await db.Samples.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal([1L], await db.IngestedBatches.Select(b => b.Sequence).ToListAsync(TestContext.Current.CancellationToken));
    }
}
