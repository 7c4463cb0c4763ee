using Fleet.Agent.Queue;
using Fleet.Contracts.Agents;
using Fleet.Contracts.Links;

namespace Fleet.Agent.Tests.Queue;

public sealed class BatchCodecTests
{
    [Fact]
    public void Decode_EncodedBatch_RoundTripsEveryField()
    {
        var time = new DateTimeOffset(2025, 6, 1, 12, 0, 0, 123, TimeSpan.Zero).AddTicks(4567);
        var samples = QueueData.Samples(3, time);
        samples[1] = samples[1] with { RttMs = null, LossPercent = null, Health = MemberHealth.Down, LinkId = Guid.NewGuid() };
        AgentEvent[] events =
        [
            new() { Time = time, Kind = AgentEventKind.Failover, Severity = EventSeverity.Warning, LinkId = QueueData.Link, Member = "eth0", Message = "traffic moved off eth0; now on eth1 — ünïcode" },
            new() { Time = time, Kind = AgentEventKind.AgentStarted, Message = "started" },
        ];

        var decoded = BatchCodec.Decode(42, BatchCodec.Encode(samples, events));

        Assert.Equal(42, decoded.Sequence);
        QueueData.AssertSame(samples, decoded.Samples);
        Assert.Equal(events, decoded.Events);
    }

    [Fact]
    public void Decode_RandomSamples_RoundTrip()
    {
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var samples = Enumerable.Range(0, random.Next(0, 20)).Select(i => new MemberSample
            {
                LinkId = new Guid(Enumerable.Range(0, 16).Select(_ => (byte)random.Next(4)).ToArray()),
                Member = "m" + random.Next(1000),
                Time = DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(0, DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks)),
                IntervalMs = random.Next(),
                TxBytes = random.NextInt64(long.MinValue, long.MaxValue),
                RxBytes = random.NextInt64(),
                TxPackets = random.NextInt64(),
                RxPackets = random.NextInt64(),
                TxDrops = random.NextInt64(),
                RxDrops = random.NextInt64(),
                Errors = random.NextInt64(),
                ReorderDepth = random.Next(),
                ReorderDepthMax = random.Next(),
                RttMs = random.Next(2) == 0 ? null : random.NextDouble() * 1000,
                LossPercent = random.Next(2) == 0 ? null : random.NextDouble() * 100,
                Health = (MemberHealth)random.Next(4),
            }).ToArray();

            var decoded = BatchCodec.Decode(round + 1, BatchCodec.Encode(samples, []));

            QueueData.AssertSame(samples, decoded.Samples);
        }
    }

    [Fact]
    public void Encode_SixteenMemberBatch_FitsADayInTheDefaultBound()
    {
        var payload = BatchCodec.Encode(QueueData.Samples(16, DateTimeOffset.UtcNow), []);

        // 24 h at 1 Hz, each record with its 20-byte header, must fit the default bound with room to spare
        // (segments are dropped whole, a 32nd of the bound at a time).
        var day = 86_400L * (payload.Length + 20);
        Assert.True(day * 32 / 31 < new DiskBatchQueueOptions().MaxBytes, $"a day of 16-member batches takes {day} bytes");
    }

    [Fact]
    public void Decode_UnknownVersion_Throws()
    {
        var payload = BatchCodec.Encode(QueueData.Samples(1, DateTimeOffset.UtcNow), []);
        payload[0] = 99;

        Assert.Throws<InvalidDataException>(() => BatchCodec.Decode(1, payload));
    }

    [Fact]
    public void Decode_Truncated_Throws()
    {
        var payload = BatchCodec.Encode(QueueData.Samples(2, DateTimeOffset.UtcNow), []);

        Assert.Throws<InvalidDataException>(() => BatchCodec.Decode(1, payload.AsSpan(0, payload.Length / 2)));
    }
}
