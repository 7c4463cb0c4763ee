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

    [Fact]
    public void Encode_BatchWithoutStriperPart_StaysVersion1AndItsSize()
    {
        var samples = QueueData.Samples(4, DateTimeOffset.UtcNow);

        var plain = BatchCodec.Encode(samples, []);
        var emptyPart = BatchCodec.Encode(samples, [], null);

        Assert.Equal(1, plain[0]);
        Assert.Equal(plain, emptyPart);
        Assert.Null(BatchCodec.Decode(1, plain).Striper);
    }

    [Fact]
    public void Decode_BatchWithClassesAndMemberStates_RoundTripsEveryField()
    {
        var time = new DateTimeOffset(2026, 12, 6, 11, 0, 0, 250, TimeSpan.Zero);
        var otherLink = Guid.Parse("0197a000-0000-7000-8000-000000000777");
        var striper = new StriperReport
        {
            Classes =
            [
                QueueData.Class("default", "default", time),
                QueueData.Class("voice", "fec", time) with { LinkId = otherLink },
                QueueData.Class("video", "pin", time) with { PinnedMember = "wwan0" },
            ],
            MemberStates =
            [
                new MemberState { LinkId = QueueData.Link, Member = "eth0", Time = time, Tier = LinkTier.Primary },
                new MemberState { LinkId = otherLink, Member = "wwan0", Time = time, Tier = LinkTier.Overflow, IdleReason = "overflow: the primaries are not saturated" },
            ],
        };

        var payload = BatchCodec.Encode(QueueData.Samples(2, time), [], striper);
        var decoded = BatchCodec.Decode(9, payload);

        Assert.Equal(2, payload[0]);
        QueueData.AssertSame(QueueData.Samples(2, time), decoded.Samples);
        Assert.NotNull(decoded.Striper);
        Assert.Equal(striper.Classes, decoded.Striper.Classes);
        Assert.Equal(striper.MemberStates, decoded.Striper.MemberStates);
    }

    [Fact]
    public void Decode_RandomClassSamplesAndStates_RoundTrip()
    {
        var random = new Random(13);
        string[] actions = ["default", "stripe", "pin", "duplicate", "fec"];
        for (var round = 0; round < 200; round++)
        {
            var links = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Guid.NewGuid()).ToArray();
            var classes = Enumerable.Range(0, random.Next(0, 12)).Select(i => new ClassSample
            {
                LinkId = links[random.Next(links.Length)],
                Class = "c" + random.Next(1000),
                Action = actions[random.Next(actions.Length)],
                Time = DateTimeOffset.UnixEpoch.AddTicks(random.NextInt64(0, DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks)),
                IntervalMs = random.Next(),
                TxPackets = random.NextInt64(),
                TxBytes = random.NextInt64(),
                DuplicatesSent = random.NextInt64(),
                DuplicateBytes = random.NextInt64(),
                FecBlocks = random.NextInt64(),
                FecParityPackets = random.NextInt64(),
                FecParityBytes = random.NextInt64(),
                DropNoPath = random.NextInt64(),
                RxPackets = random.NextInt64(),
                RxBytes = random.NextInt64(),
                DuplicatesDropped = random.NextInt64(),
                FecRecovered = random.NextInt64(),
                FecLost = random.NextInt64(),
                PinnedMember = random.Next(2) == 0 ? null : "m" + random.Next(100),
            }).ToArray();
            var states = Enumerable.Range(0, random.Next(0, 6)).Select(i => new MemberState
            {
                LinkId = links[random.Next(links.Length)],
                Member = "m" + random.Next(100),
                Time = DateTimeOffset.UnixEpoch.AddSeconds(random.Next()),
                Tier = (LinkTier)random.Next(4),
                IdleReason = random.Next(2) == 0 ? null : "why " + random.Next(),
            }).ToArray();

            var decoded = BatchCodec.Decode(round + 1, BatchCodec.Encode([], [], new StriperReport { Classes = classes, MemberStates = states }));

            Assert.Equal(classes, decoded.Striper?.Classes ?? []);
            Assert.Equal(states, decoded.Striper?.MemberStates ?? []);
        }
    }

    /// <summary>
    /// Corrupted and truncated version-2 payloads (a disk fault the record CRC missed, a bug) decode or fail with
    /// <see cref="InvalidDataException"/>, never with another exception that would escape the queue's handling.
    /// </summary>
    [Fact]
    public void Decode_CorruptedVersion2Payloads_DecodeOrThrowInvalidData()
    {
        var time = new DateTimeOffset(2026, 12, 6, 11, 0, 0, TimeSpan.Zero);
        var striper = new StriperReport
        {
            Classes = [QueueData.Class("default", "default", time), QueueData.Class("voice", "pin", time) with { PinnedMember = "eth1" }],
            MemberStates = [new MemberState { LinkId = QueueData.Link, Member = "eth1", Time = time, Tier = LinkTier.Backup, IdleReason = "backup: a primary or overflow member is up" }],
        };
        var payload = BatchCodec.Encode(QueueData.Samples(2, time), [], striper);
        var random = new Random(21);
        for (var round = 0; round < 20_000; round++)
        {
            var corrupt = payload.ToArray();
            var flips = random.Next(1, 4);
            for (var f = 0; f < flips; f++)
            {
                corrupt[random.Next(1, corrupt.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(3) == 0 ? random.Next(1, corrupt.Length) : corrupt.Length;
            try
            {
                BatchCodec.Decode(1, corrupt.AsSpan(0, length));
            }
            catch (InvalidDataException)
            {
            }
        }
    }
}
