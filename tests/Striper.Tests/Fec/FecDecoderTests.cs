using Fleet.Contracts.Links;
using Fleet.Striper.Classes;
using Fleet.Striper.Fec;
using Fleet.Striper.Scheduling;
using Fleet.Striper.Tests.Classes;
using Fleet.Striper.Tests.Packets;
using Fleet.Striper.Wire;
using FsCheck;
using FsCheck.Fluent;

namespace Fleet.Striper.Tests.Fec;

public sealed class FecDecoderTests
{
    private const int Mtu = 1400;

    private sealed class Capture : IRecoveredSink
    {
        public List<(int Class, byte[] Symbol)> Symbols { get; } = [];

        /// <summary>What <see cref="Recovered"/> answers: false plays a receiver without a free buffer.</summary>
        public bool Accept { get; set; } = true;

        public bool Recovered(int trafficClass, ReadOnlySpan<byte> symbol)
        {
            if (Accept)
            {
                Symbols.Add((trafficClass, symbol.ToArray()));
            }

            return Accept;
        }
    }

    /// <summary>One datagram an encoder produced: its path, its metadata fields and its payload (packet or parity).</summary>
    private sealed record Sent(int Path, DataFields Fields, byte[] Payload, bool Parity);

    private static ClassRxCounters[] Counters() => Enumerable.Range(0, 33).Select(_ => new ClassRxCounters()).ToArray();

    /// <summary>Runs <paramref name="packets"/> through an encoder the way the sending thread does.</summary>
    private static List<Sent> Encode(PathSet paths, IReadOnlyList<byte[]> packets, FecClassOptions options, double spacingSeconds = 0.005)
    {
        var encoder = new FecEncoder(options, Mtu, new ClassTxCounters());
        var sent = new List<Sent>();
        ulong global = 0;
        var now = 100.0;
        foreach (var packet in packets)
        {
            var fields = new DataFields { TrafficClass = 1, FlowClass = 3, ClassSequence = (uint)global };
            var path = encoder.PlaceData(paths, (1u << paths.Count) - 1, now, (long)(now * 1e9), ref fields);
            fields.Global = ++global;
            sent.Add(new Sent(path, fields, packet, false));
            if (encoder.Accumulate(packet, fields))
            {
                Close();
            }

            now += spacingSeconds;
        }

        Close();
        return sent;

        void Close()
        {
            for (var j = 0; j < encoder.ParityDue; j++)
            {
                var path = encoder.PlaceParity(paths, (1u << paths.Count) - 1);
                var fields = new DataFields { TrafficClass = 1, Global = ++global };
                var plaintext = encoder.Parity(j, ref fields);
                sent.Add(new Sent(path, fields, plaintext[WireFormat.DataMetaLength..].ToArray(), true));
            }

            encoder.Close();
        }
    }

    private static void Deliver(FecDecoder decoder, Sent datagram, long now = 0)
    {
        var f = datagram.Fields;
        if (datagram.Parity)
        {
            Assert.True(decoder.OnParity(f.TrafficClass, f.FecBlock, f.FecIndex, f.FecData, f.FecParity, datagram.Payload, now));
        }
        else
        {
            var prefix = new byte[FecSymbol.PrefixLength];
            FecSymbol.WritePrefix(prefix, datagram.Payload.Length, f.Flags, f.FlowClass, f.ClassSequence, f.Global);
            Assert.True(decoder.OnData(f.TrafficClass, f.FecBlock, f.FecIndex, f.FecData, f.FecParity, prefix, datagram.Payload, now));
        }
    }

    /// <summary>A decoder whose blocks fall due 100 ticks after it knows they closed and age out after 100,000.</summary>
    private static FecDecoder DueDecoder(ClassRxCounters[] counters, Capture capture) => new(Mtu, counters, capture, maxAgeTicks: 100_000) { DueDelayTicks = 100 };

    private static byte[][] Voice(int count) =>
        Enumerable.Range(0, count).Select(i => TestPackets.Udp(false, Enumerable.Range(0, 160).Select(b => (byte)(b ^ i)).ToArray())).ToArray();

    private static PathSet LossyPaths(params double[] loss)
    {
        var paths = new PathSet(loss.Length);
        loss.CopyTo(paths.FecLossRatio, 0);
        return paths;
    }

    [Fact]
    public void OneLossPerBlock_EveryLostPacketRecoveredWithItsMetadata()
    {
        var packets = Voice(80);
        var sent = Encode(LossyPaths(0.02, 0.02, 0.02), packets, new FecClassOptions { MaxDelayMs = 40 });
        var capture = new Capture();
        var counters = Counters();
        var decoder = new FecDecoder(Mtu, counters, capture, long.MaxValue);
        var blocks = sent.Where(s => !s.Parity).GroupBy(s => s.Fields.FecBlock).ToList();
        Assert.All(blocks, b => Assert.True(b.First().Fields.FecParity >= 1, "2 % loss on every path needs parity"));

        // Drop the first data packet of every block.
        var dropped = blocks.Select(b => b.First()).ToHashSet();
        foreach (var datagram in sent.Where(s => !dropped.Contains(s)))
        {
            Deliver(decoder, datagram);
        }

        Assert.Equal(dropped.Count, capture.Symbols.Count);
        foreach (var (recoveredClass, symbol) in capture.Symbols)
        {
            Assert.True(FecSymbol.TryReadPrefix(symbol, out var length, out _, out var flowClass, out _, out var global));
            var original = dropped.Single(d => d.Fields.Global == global);
            Assert.Equal(1, recoveredClass);
            Assert.Equal(3, flowClass);
            Assert.Equal(original.Payload, symbol.AsSpan(FecSymbol.PrefixLength, length).ToArray());
        }

        Assert.Equal(dropped.Count, counters[1].FecRecovered);
        Assert.Equal(0, decoder.OpenBlocks);
    }

    [Fact]
    public void SymbolBuffers_NoneUntilProtectedTraffic_ThenOnlyAsManyAsHeldAtOnce()
    {
        var packets = Voice(200);
        var sent = Encode(LossyPaths(0.02, 0.02, 0.02), packets, new FecClassOptions { MaxDelayMs = 40 });
        var capture = new Capture();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var decoder = new FecDecoder(Mtu, Counters(), capture, long.MaxValue);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, decoder.SymbolBuffers);
        Assert.True(allocated < 4096, $"{allocated} bytes allocated by a decoder that saw no traffic");

        var dropped = sent.Where(s => !s.Parity).GroupBy(s => s.Fields.FecBlock).Select(b => b.First()).ToHashSet();
        foreach (var datagram in sent.Where(s => !dropped.Contains(s)))
        {
            Deliver(decoder, datagram);
        }

        // Each block's symbols go back once it is recovered: the buffers are those of about one block, made once.
        Assert.Equal(dropped.Count, capture.Symbols.Count);
        var largestBlock = sent.GroupBy(s => s.Fields.FecBlock).Max(b => b.Count());
        Assert.InRange(decoder.SymbolBuffers, 1, largestBlock);
    }

    [Fact]
    public void RecoveredButNotDelivered_CountedLostAfterFecNotRecovered()
    {
        var sent = Encode(LossyPaths(0.02, 0.02, 0.02), Voice(80), new FecClassOptions { MaxDelayMs = 40 });
        var counters = Counters();
        var decoder = new FecDecoder(Mtu, counters, new Capture { Accept = false }, long.MaxValue);
        var dropped = sent.Where(s => !s.Parity).GroupBy(s => s.Fields.FecBlock).Select(b => b.First()).ToHashSet();

        foreach (var datagram in sent.Where(s => !dropped.Contains(s)))
        {
            Deliver(decoder, datagram);
        }

        Assert.Equal(0, counters[1].FecRecovered);
        Assert.Equal(dropped.Count, counters[1].FecLost);
    }

    [Fact]
    public void PolicyChange_RebuiltClassNumbersItsBlocksOnFromTheOldOnes()
    {
        var spec = PolicySpecs.Link(3);
        var policy = new StriperPolicy { Classes = [new() { Name = "voice", Match = new() { Protocol = "udp" }, Action = TrafficAction.Fec }] };
        var old = ClassTable.Build(policy, spec, Mtu, null);
        var paths = new PathSet(3);
        var first = new DataFields();
        old.Classes[0].Fec!.PlaceData(paths, 0b111, 1, 1, ref first);

        // The receiver still holds the old class's blocks (same class id) for a while: the new class must not reuse their numbers.
        var rebuilt = ClassTable.Build(policy with { Classes = [policy.Classes[0] with { Fec = new FecClassOptions { MaxDelayMs = 40 } }] }, spec, Mtu, old);
        var next = new DataFields();
        rebuilt.Classes[0].Fec!.PlaceData(paths, 0b111, 2, 2, ref next);

        Assert.Equal(old.Classes[0].Id, rebuilt.Classes[0].Id);
        Assert.True(next.FecBlock > first.FecBlock, $"old block {first.FecBlock}, new block {next.FecBlock}");
    }

    [Fact]
    public void BurstOnOnePath_SpreadBlocksRecoverIt()
    {
        // Three equally lossy paths share every block; parity sized for 5 % loss covers a path's share of a block.
        var packets = Voice(120);
        var sent = Encode(LossyPaths(0.05, 0.05, 0.05), packets, new FecClassOptions { MaxDelayMs = 40, TargetLossPercent = 0.01, MaxOverheadPercent = 100 });
        var capture = new Capture();
        var counters = Counters();
        var decoder = new FecDecoder(Mtu, counters, capture, long.MaxValue);
        var data = sent.Where(s => !s.Parity).ToList();
        var perPath = data.GroupBy(s => (s.Fields.FecBlock, s.Path)).Max(g => g.Count());
        var parity = data.Min(s => s.Fields.FecParity);
        Assert.True(parity >= perPath, $"parity {parity} per block, up to {perPath} packets of a block on one path");

        // A burst: path 1 loses everything for 60 % of the run.
        var burst = sent.Where((s, i) => s.Path == 1 && i > sent.Count / 5 && i < sent.Count * 4 / 5).ToHashSet();
        foreach (var datagram in sent.Where(s => !burst.Contains(s)))
        {
            Deliver(decoder, datagram);
        }

        var lostData = burst.Count(s => !s.Parity);
        Assert.True(lostData >= 10, $"{lostData} data packets in the burst");
        Assert.Equal(lostData, capture.Symbols.Count);
        decoder.Expire(long.MaxValue);
        Assert.Equal(0, counters[1].FecLost);
    }

    [Fact]
    public void TooManyLosses_CountedLostAfterFecWhenTheBlockIsGivenUp()
    {
        var all = Encode(LossyPaths(0.02, 0.02), Voice(8), new FecClassOptions { MaxDelayMs = 40 });
        var sent = all.Where(s => s.Fields.FecBlock == all[0].Fields.FecBlock).ToList();
        var counters = Counters();
        var decoder = new FecDecoder(Mtu, counters, new Capture(), 1000);
        var parity = sent[0].Fields.FecParity;
        Assert.InRange(parity, 1, sent.Count(s => !s.Parity) - 1);

        // One data packet more lost than the block has parity.
        foreach (var datagram in sent.Skip(parity + 1))
        {
            Deliver(decoder, datagram, now: 10);
        }

        decoder.Expire(5000);
        Assert.Equal(parity + 1, counters[1].FecLost);
        Assert.Equal(0, decoder.OpenBlocks);
    }

    [Fact]
    public void Expire_BlockFallsDue_ItsLossesCountedThenNotAgain()
    {
        var all = Encode(LossyPaths(0.02, 0.02), Voice(8), new FecClassOptions { MaxDelayMs = 40 });
        var sent = all.Where(s => s.Fields.FecBlock == all[0].Fields.FecBlock).ToList();
        var counters = Counters();
        var decoder = DueDecoder(counters, new Capture());
        var parity = sent[0].Fields.FecParity;

        // One data packet more lost than the block has parity; its parity arrives at 10, so it falls due at 110.
        foreach (var datagram in sent.Skip(parity + 1))
        {
            Deliver(decoder, datagram, now: 10);
        }

        decoder.Expire(109);
        Assert.Equal(0, counters[1].FecLost);
        decoder.Expire(110);
        Assert.Equal(parity + 1, counters[1].FecLost);
        decoder.Expire(100_011);
        Assert.Equal(parity + 1, counters[1].FecLost);
        Assert.Equal(0, decoder.OpenBlocks);
    }

    [Fact]
    public void Expire_ParityAndLastDataLost_DueWhenTheNextBlockStartsAndCountedFromThePlannedSize()
    {
        var sent = Encode(LossyPaths(0.02, 0.02), Voice(16), new FecClassOptions { MaxDelayMs = 40 });
        var first = sent[0].Fields.FecBlock;
        var data = sent.Where(s => s.Fields.FecBlock == first && !s.Parity).ToList();
        var counters = Counters();
        var decoder = DueDecoder(counters, new Capture());

        // The block's last data packet and all its parity lost: nothing but its data packets says how big it is.
        foreach (var datagram in data.SkipLast(1))
        {
            Deliver(decoder, datagram, now: 10);
        }

        decoder.Expire(1_000);
        Assert.Equal(0, counters[1].FecLost); // not known to be closed yet
        Deliver(decoder, sent.First(s => s.Fields.FecBlock != first), now: 1_000);
        decoder.Expire(1_100);

        Assert.Equal(1, counters[1].FecLost);
    }

    [Fact]
    public void LateParityAfterTheBlockFellDue_RecoveryTakesTheLossBack()
    {
        var sent = Encode(LossyPaths(0.02, 0.02), Voice(16), new FecClassOptions { MaxDelayMs = 40 });
        var first = sent[0].Fields.FecBlock;
        var capture = new Capture();
        var counters = Counters();
        var decoder = DueDecoder(counters, capture);
        var data = sent.Where(s => s.Fields.FecBlock == first && !s.Parity).ToList();
        foreach (var datagram in data.Skip(1))
        {
            Deliver(decoder, datagram, now: 10);
        }

        Deliver(decoder, sent.First(s => s.Fields.FecBlock != first), now: 20);
        decoder.Expire(120);
        Assert.Equal(1, counters[1].FecLost);

        Deliver(decoder, sent.First(s => s.Fields.FecBlock == first && s.Parity), now: 130);

        Assert.Single(capture.Symbols);
        Assert.Equal(1, counters[1].FecRecovered);
        Assert.Equal(0, counters[1].FecLost);
    }

    [Fact]
    public void LateDataCopyAfterTheBlockFellDue_NotLostAfterAll()
    {
        var sent = Encode(LossyPaths(0.02, 0.02), Voice(8), new FecClassOptions { MaxDelayMs = 40 });
        var first = sent.Where(s => s.Fields.FecBlock == sent[0].Fields.FecBlock).ToList();
        var counters = Counters();
        var decoder = DueDecoder(counters, new Capture());
        var late = first.Where(s => !s.Parity).Take(first[0].Fields.FecParity + 2).ToList(); // one more than parity can recover even after a late copy
        foreach (var datagram in first.Except(late))
        {
            Deliver(decoder, datagram, now: 10);
        }

        decoder.Expire(110);
        Assert.Equal(late.Count, counters[1].FecLost);

        Deliver(decoder, late[0], now: 120);

        Assert.Equal(late.Count - 1, counters[1].FecLost);
    }

    [Fact]
    public void PeriodicBurstsOnEveryPath_LostAfterFecIsWhatNeverArrived()
    {
        // FecLinkTests' burst case without the network: blocks of two data packets over three paths, parity up to 100 %,
        // every path losing two datagrams in a row out of 59, 61 or 67.
        var paths = LossyPaths(0.05, 0.05, 0.05);
        paths.LossBurstLength.AsSpan().Fill(2);
        var sent = Encode(paths, Voice(2000), new FecClassOptions { MaxDelayMs = 10, MaxOverheadPercent = 100 });
        var capture = new Capture();
        var counters = Counters();
        var decoder = DueDecoder(counters, capture);
        int[] periods = [59, 61, 67];
        var onPath = new int[3];
        var arrived = new HashSet<ulong>();
        var now = 0L;
        foreach (var datagram in sent)
        {
            now += 10;
            if (onPath[datagram.Path]++ % periods[datagram.Path] < 2)
            {
                continue;
            }

            Deliver(decoder, datagram, now);
            arrived.Add(datagram.Fields.Global);
            decoder.Expire(now);
        }

        decoder.Expire(now + 1_000);
        foreach (var (_, symbol) in capture.Symbols)
        {
            Assert.True(FecSymbol.TryReadPrefix(symbol, out _, out _, out _, out _, out var global));
            arrived.Add(global);
        }

        var neverArrived = sent.Count(s => !s.Parity && !arrived.Contains(s.Fields.Global));
        Assert.True(capture.Symbols.Count > 50, $"{capture.Symbols.Count} recovered");
        Assert.True(neverArrived > 0, "some blocks lost more than their parity");
        Assert.Equal(neverArrived, counters[1].FecLost);
    }

    [Fact]
    public void CleanPaths_NoParityAndNothingKept()
    {
        var sent = Encode(LossyPaths(0, 0), Voice(40), new FecClassOptions());
        var decoder = new FecDecoder(Mtu, Counters(), new Capture(), long.MaxValue);

        Assert.DoesNotContain(sent, s => s.Parity);
        foreach (var datagram in sent)
        {
            Deliver(decoder, datagram);
        }

        Assert.Equal(0, decoder.OpenBlocks);
    }

    /// <summary>
    /// The decoder fuzzed with what an authenticated but broken or lying peer could send: random FEC fields, lengths
    /// and payloads, parity that disagrees. It answers true or false, never throws, never hands out a symbol longer
    /// than it holds, and gives every symbol slot back.
    /// </summary>
    [Fact]
    public void RandomFieldsAndPayloads_NeverThrowNeverLeak()
    {
        var gen =
            from parity in Gen.Elements(true, false)
            from trafficClass in Gen.Choose(0, 40)
            from block in Gen.Choose(0, 6)
            from index in Gen.Choose(0, 40)
            from data in Gen.Choose(0, 40)
            from parityCount in Gen.Choose(0, 10)
            from length in Gen.Choose(0, Mtu + 40)
            from seed in Gen.Choose(0, int.MaxValue)
            select (parity, trafficClass, (uint)block, index, data, parityCount, length, seed);
        var capture = new Capture();
        var decoder = new FecDecoder(Mtu, Counters(), capture, 50);
        var now = 0L;
        var property = Prop.ForAll(Arb.From(gen), t =>
        {
            var (parity, trafficClass, block, index, data, parityCount, length, seed) = t;
            var payload = new byte[length];
            new Random(seed).NextBytes(payload);
            now += 3;
            if (parity)
            {
                decoder.OnParity(trafficClass, block, index, data, parityCount, payload, now);
            }
            else
            {
                decoder.OnData(trafficClass, block, index, data, parityCount, payload.AsSpan(0, Math.Min(16, length)), payload.AsSpan(Math.Min(16, length)), now);
            }

            decoder.Expire(now);
            return capture.Symbols.All(r => r.Symbol.Length <= Mtu);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), property);
        decoder.Reset();
        Assert.Equal(0, decoder.OpenBlocks);

        // Every slot came back: a full run of honest blocks still decodes.
        var sent = Encode(LossyPaths(0.05, 0.05), Voice(64), new FecClassOptions());
        var first = sent.First(s => !s.Parity);
        var before = capture.Symbols.Count;
        foreach (var datagram in sent.Where(s => s != first))
        {
            Deliver(decoder, datagram);
        }

        Assert.Equal(before + 1, capture.Symbols.Count);
    }
}
