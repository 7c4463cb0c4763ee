using Microsoft.Extensions.Time.Testing;
using System.Buffers.Binary;
using System.Diagnostics;
using Fleet.Agent.Queue;
using Fleet.Agent.Tests.Support;
using Fleet.Testing;

namespace Fleet.Agent.Tests.Queue;

/// <summary>
/// Issue 10 (disk queue) and issue 21 (queue ids): a full disk mid-append, records that cannot be read back (corrupt,
/// a newer format), a queue from before queue ids, a lost queue.
/// </summary>
public sealed class DiskBatchQueueFaultTests : IDisposable
{
    private const int HeaderBytes = 20;
    private static readonly Guid s_host = Guid.Parse("0197a000-0000-7000-8000-00000000bbbb");
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly DateTimeOffset _t0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public void Dispose() => _dir.Dispose();

    private string QueueDirectory => _dir.Combine("queue");

    private DiskBatchQueue Open(string? directory = null, long maxBytes = 1024 * 1024) =>
        DiskBatchQueue.Open(directory ?? QueueDirectory, s_host, new DiskBatchQueueOptions { MaxBytes = maxBytes, CursorInterval = TimeSpan.Zero }, _time);

    [Fact]
    public void Read_RecordThatCannotBeDecoded_QuarantinedAcknowledgedQueueMovesOn()
    {
        using (var queue = Open())
        {
            for (var i = 0; i < 3; i++)
            {
                queue.Enqueue(QueueData.Samples(2, _t0.AddSeconds(i)), []);
            }
        }

        // A record whose checksum is right but whose content is not a batch (a bug of the writer, not the disk):
        // its link count claims far more links than the payload holds.
        RewritePayload(recordIndex: 1, payload => [payload[0], 0x80, 0x01, .. payload[2..]]);

        using var reopened = Open();
        Assert.NotNull(reopened.Read(1));
        Assert.Null(reopened.Read(2));
        Assert.NotNull(reopened.Read(3));
        reopened.Acknowledge(1);
        reopened.Acknowledge(3);

        Assert.Equal(4, reopened.FirstPending);
        Assert.Equal(0, reopened.Stats.PendingBatches);
        Assert.Equal(1, reopened.Stats.QuarantinedBatches);
        var kept = Assert.Single(Directory.GetFiles(Path.Combine(QueueDirectory, "quarantine")));
        Assert.EndsWith("0000000000000000002.rec", kept, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RecordOfANewerFormatVersion_QuarantinedNotGuessedAt()
    {
        using (var queue = Open())
        {
            queue.Enqueue(QueueData.Samples(2, _t0), []);
            queue.Enqueue(QueueData.Samples(2, _t0.AddSeconds(1)), []);
        }

        // Written by a newer agent (then downgraded): format version 2.
        RewritePayload(recordIndex: 0, payload => [2, .. payload[1..]]);

        using var reopened = Open();
        Assert.Null(reopened.Read(1));
        Assert.Equal(2, reopened.FirstPending);
        Assert.Equal(1, reopened.Stats.QuarantinedBatches);
        QueueData.AssertSame(QueueData.Samples(2, _t0.AddSeconds(1)), reopened.Read(2)!.Samples);
    }

    [Fact]
    public void Open_QueueWrittenBeforeQueueIds_KeepsItsBatchesNumberingAndTheEmptyId()
    {
        using (var queue = Open())
        {
            queue.Enqueue(QueueData.Samples(2, _t0), []);
            queue.Enqueue(QueueData.Samples(2, _t0.AddSeconds(1)), []);
            queue.Acknowledge(1);
        }

        // What an agent of the previous version leaves: the same files, no queue id.
        File.Delete(Path.Combine(QueueDirectory, "queue-id"));

        using var upgraded = Open();
        Assert.Equal(Guid.Empty, upgraded.Id);
        Assert.Equal(Guid.Empty, upgraded.Read(2)!.QueueId);
        Assert.Equal(3, upgraded.Enqueue(QueueData.Samples(1, _t0), []));
    }

    [Fact]
    public void Open_IdKeptAcrossRestartsNewWhenTheQueueIsLost()
    {
        Guid first;
        using (var queue = Open())
        {
            first = queue.Id;
            queue.Enqueue(QueueData.Samples(1, _t0), []);
            Assert.Equal(first, queue.Read(1)!.QueueId);
        }

        using (var reopened = Open())
        {
            Assert.Equal(first, reopened.Id);
        }

        Directory.Delete(QueueDirectory, recursive: true);
        using var lost = Open();

        Assert.NotEqual(Guid.Empty, first);
        Assert.NotEqual(first, lost.Id);
        Assert.NotEqual(Guid.Empty, lost.Id);
        Assert.Equal(1, lost.NextSequence);
    }

    [Fact]
    public void Enqueue_DiskFullMidRecord_FailsAloneAndLaterRecordsSurviveReopen()
    {
        Privileged.Require("mount a 64 KiB tmpfs to run out of disk space for real");
        using var disk = SmallDisk.Mount(_dir.Combine("disk"));
        var directory = Path.Combine(disk.Path, "queue");
        var filler = Path.Combine(disk.Path, "filler");

        var stored = new List<long>();
        var failures = 0;
        using (var queue = Open(directory, maxBytes: 1024 * 1024))
        {
            // Fill the disk except for a few KiB, then append until an append fails part-way.
            File.WriteAllBytes(filler, new byte[40 * 1024]);
            for (var i = 0; i < 200 && failures == 0; i++)
            {
                try
                {
                    stored.Add(queue.Enqueue(QueueData.Samples(16, _t0.AddSeconds(i), seed: i), []));
                }
                catch (IOException)
                {
                    failures++;
                }
            }

            Assert.Equal(1, failures);
            Assert.NotEmpty(stored);

            // Room again: the next appends must not land behind a torn record.
            File.Delete(filler);
            for (var i = 200; i < 205; i++)
            {
                stored.Add(queue.Enqueue(QueueData.Samples(16, _t0.AddSeconds(i), seed: i), []));
            }

            Assert.All(stored, s => Assert.NotNull(queue.Read(s)));
        }

        using var reopened = Open(directory, maxBytes: 1024 * 1024);
        Assert.Equal(stored.Count, reopened.Stats.PendingBatches);
        Assert.Equal(0, reopened.Stats.QuarantinedBatches);
        foreach (var sequence in stored)
        {
            var batch = reopened.Read(sequence);
            Assert.NotNull(batch);
            Assert.Equal(16, batch.Samples.Count);
        }

        Assert.Equal(stored, stored.Order());
        Assert.Equal(stored.Count, stored.Distinct().Count());
    }

    /// <summary>Rewrites the payload of record <paramref name="recordIndex"/> of the only segment, with a correct checksum.</summary>
    private void RewritePayload(int recordIndex, Func<byte[], byte[]> change)
    {
        var segment = Directory.GetFiles(QueueDirectory, "*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        var output = new List<byte>();
        var offset = 0;
        for (var i = 0; offset < bytes.Length; i++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + 4));
            var header = bytes[offset..(offset + HeaderBytes)];
            var payload = bytes[(offset + HeaderBytes)..(offset + HeaderBytes + length)];
            if (i == recordIndex)
            {
                payload = change(payload);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), payload.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), Crc32.Append(Crc32.Compute(header.AsSpan(8, 8)), payload));
            }

            output.AddRange(header);
            output.AddRange(payload);
            offset += HeaderBytes + length;
        }

        File.WriteAllBytes(segment, [.. output]);
    }

    /// <summary>A 64 KiB tmpfs mounted for one test (root), unmounted on dispose.</summary>
    private sealed class SmallDisk : IDisposable
    {
        private SmallDisk(string path) => Path = path;

        public string Path { get; }

        public static SmallDisk Mount(string path)
        {
            Directory.CreateDirectory(path);
            Run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", path);
            return new SmallDisk(path);
        }

        public void Dispose() => Run("umount", Path);

        private static void Run(string tool, params string[] arguments)
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}: {error}");
        }
    }
}
