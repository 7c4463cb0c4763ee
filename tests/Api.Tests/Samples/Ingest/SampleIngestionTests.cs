using System.Data.Common;
using Fleet.Api.Agents;
using Fleet.Api.Configuration;
using Fleet.Api.Data;
using Fleet.Api.Live;
using Fleet.Api.Samples.Ingest;
using Fleet.Api.Tests.Live;
using Fleet.Contracts.Agents;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Api.Tests.Samples.Ingest;

/// <summary>
/// The group commit's failure handling with a store that fails on command (a fake: the real stores are tested on
/// both databases in <see cref="Agents.AgentStoreTests"/> and end to end in <c>PoisonBatchTests</c>).
/// </summary>
public sealed class SampleIngestionTests : IAsyncDisposable
{
    private static readonly Guid s_host = Guid.CreateVersion7();
    private readonly FailingStore _store = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly SampleIngestion _ingestion;

    public SampleIngestionTests()
    {
        var contexts = new PooledDbContextFactory<FleetDbContext>(new DbContextOptionsBuilder<FleetDbContext>().UseSqlite("Data Source=:memory:").Options);
        var live = new LiveFanout(new RecordingLiveHub(), contexts, TimeProvider.System, NullLogger<LiveFanout>.Instance);
        var activity = new HostActivity(contexts, new AgentConnections(), new DatabaseReadiness(), TimeProvider.System, NullLogger<HostActivity>.Instance);
        _ingestion = new SampleIngestion(_store, live, activity, TimeProvider.System, _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), NullLogger<SampleIngestion>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _ingestion.StopAsync(CancellationToken.None);
        _ingestion.Dispose();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task SubmitAsync_OneBatchTheDatabaseRefuses_RestOfTheGroupStoredAndItRefusedWithTheReason()
    {
        _store.Refuse = item => item.Batch.Sequence == 7;

        // Queued before the writer starts: all twenty go into one group.
        var acks = Enumerable.Range(1, 20).Select(s => _ingestion.SubmitAsync(s_host, Batch(s), TestContext.Current.CancellationToken)).ToList();
        await _ingestion.StartAsync(TestContext.Current.CancellationToken);
        var answers = await Task.WhenAll(acks).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.All(answers.Where(a => a.Sequence != 7), a => Assert.Equal(new BatchAck(a.Sequence), a));
        var refused = Assert.Single(answers, a => a.Sequence == 7);
        Assert.Contains("the database refused this batch", refused.Rejected, StringComparison.Ordinal);
        Assert.Contains("invalid byte sequence", refused.Rejected, StringComparison.Ordinal);
        Assert.Equal(19, _store.Stored.Count);
        Assert.DoesNotContain(7, _store.Stored);
    }

    [Fact]
    public async Task SubmitAsync_DatabaseUnavailable_RetriedThenEveryBatchToldToResend()
    {
        _store.Unavailable = true;

        var acks = Enumerable.Range(1, 4).Select(s => _ingestion.SubmitAsync(s_host, Batch(s), TestContext.Current.CancellationToken)).ToList();
        await _ingestion.StartAsync(TestContext.Current.CancellationToken);

        foreach (var ack in acks)
        {
            var error = await Assert.ThrowsAsync<HubException>(() => ack.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
            Assert.Contains("will be resent", error.Message, StringComparison.Ordinal);
        }

        // The whole group, four attempts: the database was the problem, not a batch, so nothing was split.
        Assert.Equal(4, _store.Calls);
    }

    [Fact]
    public async Task SubmitAsync_CallerGoneBeforeTheWrite_BatchNotWritten()
    {
        using var gone = new CancellationTokenSource();
        var abandoned = _ingestion.SubmitAsync(s_host, Batch(1), gone.Token);
        var kept = _ingestion.SubmitAsync(s_host, Batch(2), TestContext.Current.CancellationToken);
        await gone.CancelAsync();
        await _ingestion.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new BatchAck(2), await kept.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal([2L], _store.Stored);
    }

    private static SampleBatch Batch(long sequence) => new()
    {
        Sequence = sequence,
        Samples = [],
        Events = [new AgentEvent { Time = DateTimeOffset.UtcNow, Kind = AgentEventKind.AgentStarted, Message = $"batch {sequence}" }],
    };

    /// <summary>A store that refuses some batches (as PostgreSQL refuses a NUL byte) or fails as if the database were down.</summary>
    private sealed class FailingStore : IBatchStore
    {
        public Func<IngestItem, bool> Refuse { get; set; } = _ => false;

        public bool Unavailable { get; set; }

        public List<long> Stored { get; } = [];

        public int Calls { get; private set; }

        public Task<bool[]> StoreAsync(IReadOnlyList<IngestItem> items, CancellationToken cancellationToken)
        {
            Calls++;
            if (Unavailable)
            {
                throw new FakeDbException("connection refused", transient: true);
            }

            if (items.Any(Refuse))
            {
                throw new FakeDbException("22021: invalid byte sequence for encoding \"UTF8\": 0x00", transient: false);
            }

            Stored.AddRange(items.Select(i => i.Batch.Sequence));
            return Task.FromResult(items.Select(_ => true).ToArray());
        }
    }

    private sealed class FakeDbException(string message, bool transient) : DbException(message)
    {
        public override bool IsTransient => transient;
    }
}
