using Fleet.Agent.Queue;
using Fleet.Agent.Tests.Support;
using Fleet.Contracts.Agents;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Queue;

public sealed class DiskBatchQueueTests : IDisposable
{
    private static readonly Guid s_host = Guid.Parse("0197a000-0000-7000-8000-00000000aaaa");
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly DateTimeOffset _t0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public void Dispose() => _dir.Dispose();

    private DiskBatchQueue Open(long maxBytes = 1024 * 1024, Guid? owner = null) =>
        DiskBatchQueue.Open(_dir.Combine("queue"), owner ?? s_host, new DiskBatchQueueOptions { MaxBytes = maxBytes, CursorInterval = TimeSpan.Zero }, _time);

    [Fact]
    public void Enqueue_ThenRead_ReturnsBatchWithConsecutiveSequences()
    {
        using var queue = Open();
        var first = QueueData.Samples(4, _t0);
        var events = new[] { new AgentEvent { Time = _t0, Kind = AgentEventKind.AgentStarted, Message = "hi" } };

        var s1 = queue.Enqueue(first, events);
        var s2 = queue.Enqueue(QueueData.Samples(4, _t0.AddSeconds(1)), []);

        Assert.Equal(1, s1);
        Assert.Equal(2, s2);
        var read = queue.Read(1)!;
        QueueData.AssertSame(first, read.Samples);
        Assert.Equal(events, read.Events);
        Assert.Equal(1, queue.FirstPending);
        Assert.Equal(2, queue.Stats.PendingBatches);
    }

    [Fact]
    public void Acknowledge_InOrderAndOutOfOrder_AdvancesFirstPending()
    {
        using var queue = Open();
        for (var i = 0; i < 5; i++)
        {
            queue.Enqueue(QueueData.Samples(2, _t0.AddSeconds(i)), []);
        }

        queue.Acknowledge(2);
        Assert.Equal(1, queue.FirstPending);
        Assert.Null(queue.Read(2));

        queue.Acknowledge(1);
        Assert.Equal(3, queue.FirstPending);
        Assert.Equal(3, queue.Stats.PendingBatches);
        Assert.Equal(2, queue.Stats.AcknowledgedThrough);
    }

    [Fact]
    public void Open_AfterRestart_KeepsUnacknowledgedBatchesAndSequence()
    {
        using (var queue = Open())
        {
            for (var i = 0; i < 10; i++)
            {
                queue.Enqueue(QueueData.Samples(3, _t0.AddSeconds(i), seed: i), []);
            }

            for (var s = 1; s <= 6; s++)
            {
                queue.Acknowledge(s);
            }
        }

        using var reopened = Open();

        Assert.Equal(7, reopened.FirstPending);
        Assert.Equal(11, reopened.NextSequence);
        Assert.Null(reopened.Read(6));
        QueueData.AssertSame(QueueData.Samples(3, _t0.AddSeconds(7), seed: 7), reopened.Read(8)!.Samples);
        Assert.Equal(11, reopened.Enqueue(QueueData.Samples(1, _t0), []));
    }

    [Fact]
    public void Open_AllAcknowledged_NeverReusesASequence()
    {
        using (var queue = Open())
        {
            for (var i = 0; i < 3; i++)
            {
                queue.Enqueue(QueueData.Samples(1, _t0), []);
                queue.Acknowledge(i + 1);
            }

            // Fully acknowledged segments go on the next append.
            queue.Enqueue(QueueData.Samples(1, _t0), []);
            queue.Acknowledge(4);
        }

        using var reopened = Open();

        Assert.Equal(5, reopened.NextSequence);
        Assert.Equal(0, reopened.Stats.PendingBatches);
    }

    [Fact]
    public void Open_TornLastRecord_TruncatesToLastWholeRecord()
    {
        using (var queue = Open())
        {
            for (var i = 0; i < 3; i++)
            {
                queue.Enqueue(QueueData.Samples(4, _t0.AddSeconds(i)), []);
            }
        }

        // A power cut in the middle of the third append: only part of the record reached the disk.
        var segment = Directory.GetFiles(_dir.Combine("queue"), "*.seg").Single();
        var length = new FileInfo(segment).Length;
        using (var stream = new FileStream(segment, FileMode.Open))
        {
            stream.SetLength(length - 17);
        }

        using var reopened = Open();

        Assert.Equal(2, reopened.Stats.PendingBatches);
        Assert.NotNull(reopened.Read(2));
        Assert.Null(reopened.Read(3));

        // The torn batch was never sent (an append is fsync'ed before it is handed out), so its number may be reused
        // or skipped; the cursor written at shutdown already counted it here.
        var next = reopened.Enqueue(QueueData.Samples(1, _t0), []);
        Assert.True(next >= 3);
        Assert.NotNull(reopened.Read(next));
    }

    [Fact]
    public void Open_CorruptPayload_DropsRecordAndEverythingAfter()
    {
        using (var queue = Open())
        {
            for (var i = 0; i < 3; i++)
            {
                queue.Enqueue(QueueData.Samples(4, _t0.AddSeconds(i)), []);
            }
        }

        var segment = Directory.GetFiles(_dir.Combine("queue"), "*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        var recordLength = bytes.Length / 3;
        bytes[recordLength + 30] ^= 0xFF; // a flipped byte inside the second record's payload
        File.WriteAllBytes(segment, bytes);

        using var reopened = Open();

        Assert.Equal(1, reopened.Stats.PendingBatches);
        Assert.NotNull(reopened.Read(1));
        Assert.Equal(recordLength, new FileInfo(segment).Length);
    }

    [Fact]
    public void Enqueue_WhenFull_DropsOldestAndReportsOverflow()
    {
        var overflows = new List<QueueOverflow>();
        using var queue = Open(maxBytes: 64 * 1024);
        queue.Overflowed += overflows.Add;

        long last = 0;
        for (var i = 0; i < 400; i++)
        {
            last = queue.Enqueue(QueueData.Samples(4, _t0.AddSeconds(i)), []);
        }

        Assert.NotEmpty(overflows);
        Assert.Equal(1, overflows[0].FirstSequence);
        Assert.True(queue.Stats.StoredBytes <= 64 * 1024);
        Assert.Equal(overflows.Sum(o => o.DroppedBatches), queue.Stats.DroppedBatches);
        Assert.Equal(400 - queue.Stats.DroppedBatches, queue.Stats.PendingBatches);
        Assert.Null(queue.Read(1));
        Assert.NotNull(queue.Read(last));
        Assert.Equal(overflows[^1].LastSequence + 1, queue.FirstPending);
    }

    [Fact]
    public void Open_OtherOwner_DiscardsBatches()
    {
        using (var queue = Open())
        {
            queue.Enqueue(QueueData.Samples(1, _t0), []);
        }

        using var other = Open(owner: Guid.NewGuid());

        Assert.Equal(0, other.Stats.PendingBatches);
        Assert.Equal(1, other.NextSequence);
    }

    [Fact]
    public async Task WaitForSequenceAsync_CompletesWhenBatchArrives()
    {
        using var queue = Open();
        var wait = queue.WaitForSequenceAsync(1, TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);

        queue.Enqueue(QueueData.Samples(1, _t0), []);

        await wait.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Files_AreOwnerOnly()
    {
        using (var queue = Open())
        {
            queue.Enqueue(QueueData.Samples(1, _t0), []);
            queue.Acknowledge(1);
        }

        foreach (var file in Directory.GetFiles(_dir.Combine("queue")))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }
}
