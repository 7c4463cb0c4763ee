using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Fleet.Contracts.Links;
using Fleet.Striper.Crypto;
using Fleet.Striper.Engine;
using Fleet.Striper.Wire;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>Privileged tests share namespaces and CPU: they run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StriperNamespaceCollection
{
    public const string Name = "striper namespaces";
}

/// <summary>One two-path link for the tests of <see cref="StriperLinkTests"/>, created on first use (after the root check).</summary>
public sealed class TwoPathLinkFixture : IAsyncDisposable
{
    private NamespaceTopology? _topology;
    private StriperPair? _pair;

    internal async Task<StriperPair> GetAsync()
    {
        if (_pair is null)
        {
            _topology = await NamespaceTopology.CreateAsync(2);
            _pair = await StriperPair.StartAsync(_topology);
        }

        // Every test starts from the same policy: round robin, equal weights, every member active.
        _pair.Update(spec => StriperPair.WithScheduler(spec with
        {
            Members = spec.Members.Select(m => m with { AdminState = MemberAdminState.Active, Weight = null }).ToArray(),
        }, StripeSchedulerKind.RoundRobin));
        await _pair.WaitUntilAllPathsUsableAsync(TimeSpan.FromSeconds(10));
        return _pair;
    }

    public async ValueTask DisposeAsync()
    {
        _pair?.Dispose();
        if (_topology is not null)
        {
            await _topology.DisposeAsync();
        }
    }
}

[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class StriperLinkTests(TwoPathLinkFixture fixture) : IClassFixture<TwoPathLinkFixture>
{
    [Theory(Timeout = 120_000)]
    [InlineData(StripeSchedulerKind.RoundRobin)]
    [InlineData(StripeSchedulerKind.Weighted)]
    [InlineData(StripeSchedulerKind.BwPoll)]
    [InlineData(StripeSchedulerKind.EarliestArrival)]
    [InlineData(StripeSchedulerKind.BwLag)]
    [InlineData(StripeSchedulerKind.Adaptive)]
    [InlineData(StripeSchedulerKind.Redundant)]
    [InlineData(StripeSchedulerKind.ActiveBackup)]
    public async Task Transfer_EachScheduler_PingAndTcpTransferComplete(StripeSchedulerKind kind)
    {
        Privileged.Require("network namespaces, veth, TUN");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        var pair = await fixture.GetAsync();
        var sessions = (pair.EngineA.GetSnapshot().Sessions, pair.EngineB.GetSnapshot().Sessions);
        pair.Update(spec => StriperPair.WithScheduler(spec, kind));
        var before = pair.EngineA.GetSnapshot();
        var beforeB = pair.EngineB.GetSnapshot();
        var duplicatesBefore = beforeB.Duplicates;

        var ping = await pair.Topology.InAAsync("ping", "-c", "3", "-i", "0.2", "-W", "2", StriperPair.TunnelB);
        var transfer = await Iperf.TcpAsync(pair.Topology, StriperPair.TunnelB, "-n", "20M");

        Assert.True(ping.Succeeded, ping.Output + ping.Error);
        Assert.True(transfer.Completed, transfer.ToString());
        Assert.True(transfer.BytesSent >= 20 << 20, transfer.ToString());
        var after = pair.EngineA.GetSnapshot();
        Assert.Equal(kind, after.Scheduler);
        Assert.Equal(sessions, (after.Sessions, pair.EngineB.GetSnapshot().Sessions));
        var perPath = after.Paths.Select((p, i) => p.TxDataBytes - before.Paths[i].TxDataBytes).ToArray();
        if (kind == StripeSchedulerKind.ActiveBackup)
        {
            Assert.True(perPath[1] < perPath[0] / 100, $"active_backup put {perPath[1]} bytes on the second path");
        }
        else if (kind is StripeSchedulerKind.RoundRobin or StripeSchedulerKind.Weighted or StripeSchedulerKind.BwPoll or StripeSchedulerKind.Redundant)
        {
            var afterB = pair.EngineB.GetSnapshot();
            Assert.All(perPath, bytes => Assert.True(bytes > 5 << 20, $"both paths carry data: {string.Join(", ", perPath)}; {Describe(before, after)}; B: {Describe(beforeB, afterB)}"));
        }

        if (kind == StripeSchedulerKind.Redundant)
        {
            // Two paths, two copies: the receiver drops the second copy of (nearly) every packet.
            var duplicates = pair.EngineB.GetSnapshot().Duplicates - duplicatesBefore;
            var packets = transfer.BytesSent / 1400;
            Assert.True(duplicates > packets * 0.8, $"{duplicates} duplicates for about {packets} packets");
        }
    }

    /// <summary>What each path did between two snapshots of one engine, for failure messages.</summary>
    private static string Describe(StriperSnapshot before, StriperSnapshot after) =>
        $"{after.Scheduler}, tun read {after.TunReadPackets - before.TunReadPackets} written {after.TunWritePackets - before.TunWritePackets}, " +
        $"no path {after.DropNoPath - before.DropNoPath}, no session {after.DropNoSession - before.DropNoSession}: " + string.Join(" | ", after.Paths.Select((p, i) =>
    {
        var b = before.Paths[i];
        return $"{p.Interface} {p.Health} ({p.HealthReason}) usable {p.Usable}: tx {p.TxDataPackets - b.TxDataPackets} pkts {p.TxDataBytes - b.TxDataBytes} B, " +
            $"drops full {p.TxDropBufferFull - b.TxDropBufferFull} failed {p.TxDropFailed - b.TxDropFailed} down {p.TxDropLinkDown - b.TxDropLinkDown} " +
            $"nopeer {p.TxDropNoPeer - b.TxDropNoPeer} big {p.TxDropTooBig - b.TxDropTooBig}, rx {p.RxDataPackets - b.RxDataPackets} pkts, " +
            $"probes {p.ProbesSent - b.ProbesSent}/{p.ProbesAnswered - b.ProbesAnswered}, lost {p.RxLost - b.RxLost}";
    }));

    [Fact(Timeout = 120_000)]
    public async Task Rekey_DuringTransfer_BothDirectionsFollowWithoutLossOfSession()
    {
        Privileged.Require("network namespaces, veth, TUN");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        var pair = await fixture.GetAsync();
        var initial = pair.EngineA.GetSnapshot().TxEpoch;

        // The shortest interval the validator allows. Wait for the next rekey, then carry traffic across the one after.
        pair.Update(spec => spec with { Striper = spec.Striper! with { RekeyIntervalSeconds = 10 } });
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(12);
            while (pair.EngineA.GetSnapshot().TxEpoch == initial && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            var before = (A: pair.EngineA.GetSnapshot(), B: pair.EngineB.GetSnapshot());
            var transfer = await Iperf.TcpAsync(pair.Topology, StriperPair.TunnelB, "-t", "12");
            var after = (A: pair.EngineA.GetSnapshot(), B: pair.EngineB.GetSnapshot());

            Assert.True(transfer.Completed, transfer.ToString());
            Assert.True(before.A.TxEpoch > initial, "no rekey within the interval");
            Assert.True(after.A.TxEpoch >= before.A.TxEpoch + 1, $"A epoch {before.A.TxEpoch} -> {after.A.TxEpoch}");
            Assert.True(after.B.TxEpoch >= before.B.TxEpoch + 1, $"B epoch {before.B.TxEpoch} -> {after.B.TxEpoch}");
            Assert.Equal(after.A.TxEpoch, after.B.RxEpoch);
            Assert.Equal(after.B.TxEpoch, after.A.RxEpoch);
            Assert.Equal(before.A.Sessions, after.A.Sessions);
            Assert.Equal(before.B.AuthFailures, after.B.AuthFailures);
            Assert.Equal(before.A.AuthFailures, after.A.AuthFailures);
        }
        finally
        {
            pair.Update(spec => spec with { Striper = spec.Striper! with { RekeyIntervalSeconds = 600 } });
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task DataPath_LargeTransfer_AllocatesNothingPerPacket()
    {
        Privileged.Require("network namespaces, veth, TUN");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        var pair = await fixture.GetAsync();

        // Warm up (tiered JIT, first-use paths), then measure a transfer of about 70,000 segments each way through
        // both engines' sending and receiving threads.
        Assert.True((await Iperf.TcpAsync(pair.Topology, StriperPair.TunnelB, "-n", "20M")).Completed);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        var before = pair.EngineA.GetSnapshot().DataPathAllocatedBytes + pair.EngineB.GetSnapshot().DataPathAllocatedBytes;
        var transfer = await Iperf.TcpAsync(pair.Topology, StriperPair.TunnelB, "-n", "100M");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        var after = pair.EngineA.GetSnapshot().DataPathAllocatedBytes + pair.EngineB.GetSnapshot().DataPathAllocatedBytes;

        Assert.True(transfer.Completed, transfer.ToString());
        var segments = transfer.BytesSent / 1372;
        TestContext.Current.TestOutputHelper?.WriteLine($"{after - before} bytes allocated by the data path threads for {segments} segments");
        Assert.True(after - before < segments / 10, $"{after - before} bytes allocated for {segments} segments");
    }

    [Fact(Timeout = 120_000)]
    public async Task Weighted_OneToThree_SplitsBytesOneToThreeWithinFivePercent()
    {
        Privileged.Require("network namespaces, veth, TUN");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        var pair = await fixture.GetAsync();
        pair.Update(spec => StriperPair.WithScheduler(
            StriperPair.WithMember(StriperPair.WithMember(spec, 0, m => m with { Weight = 1 }), 1, m => m with { Weight = 3 }),
            StripeSchedulerKind.Weighted));
        var before = pair.EngineA.GetSnapshot();

        var transfer = await Iperf.TcpAsync(pair.Topology, StriperPair.TunnelB, "-n", "60M");

        Assert.True(transfer.Completed, transfer.ToString());
        var after = pair.EngineA.GetSnapshot();
        var path0 = after.Paths[0].TxDataBytes - before.Paths[0].TxDataBytes;
        var path1 = after.Paths[1].TxDataBytes - before.Paths[1].TxDataBytes;
        var ratio = (double)path1 / path0;
        Assert.InRange(ratio, 3 * 0.95, 3 * 1.05);
    }

    [Fact(Timeout = 120_000)]
    public async Task AdminStateAndScheduler_ChangedDuringTransfer_TransferCompletesWithoutReset()
    {
        Privileged.Require("network namespaces, veth, TUN");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        var pair = await fixture.GetAsync();
        var sessions = pair.EngineA.GetSnapshot().Sessions;
        var transfer = Iperf.StartTcp(pair.Topology, StriperPair.TunnelB, "-t", "7");
        await using var finish = new BackgroundTransfer(transfer);
        await Task.Delay(1000, TestContext.Current.CancellationToken);

        // Second member to backup: the first is healthy, so the second stops carrying data (once the control thread,
        // maybe slow to get a CPU on a loaded host, has recomputed the usable paths; what was batched before goes out).
        pair.Update(spec => StriperPair.WithMember(spec, 1, m => m with { AdminState = MemberAdminState.Backup }));
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (pair.EngineA.GetSnapshot().Paths[1].Usable && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        await Task.Delay(100, TestContext.Current.CancellationToken);
        var backupStart = pair.EngineA.GetSnapshot().Paths[1].TxDataPackets;
        await Task.Delay(700, TestContext.Current.CancellationToken);
        var backupEnd = pair.EngineA.GetSnapshot().Paths[1];
        Assert.Equal(backupStart, backupEnd.TxDataPackets);
        Assert.False(backupEnd.Usable);

        pair.Update(spec => StriperPair.WithMember(spec, 1, m => m with { AdminState = MemberAdminState.Disabled }));
        await Task.Delay(800, TestContext.Current.CancellationToken);
        pair.Update(spec => StriperPair.WithScheduler(StriperPair.WithMember(spec, 1, m => m with { AdminState = MemberAdminState.Active }), StripeSchedulerKind.EarliestArrival));
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        var activeAgain = pair.EngineA.GetSnapshot().Paths[1].TxDataPackets;
        pair.Update(spec => StriperPair.WithScheduler(spec, StripeSchedulerKind.Weighted));
        await Task.Delay(800, TestContext.Current.CancellationToken);
        Assert.True(pair.EngineA.GetSnapshot().Paths[1].TxDataPackets > activeAgain, "the member carries data again once active");
        pair.Update(spec => StriperPair.WithScheduler(spec, StripeSchedulerKind.BwPoll));

        var result = await transfer;
        Assert.True(result.Completed, result.ToString());
        Assert.Equal(sessions, pair.EngineA.GetSnapshot().Sessions);
        Assert.Equal(StripeSchedulerKind.BwPoll, pair.EngineB.GetSnapshot().Scheduler);
    }

    [Fact(Timeout = 120_000)]
    public async Task DatagramsOfAnEpochOutOfRange_CountedOnceAsAuthFailures()
    {
        Privileged.Require("network namespaces, veth, TUN");
        var pair = await fixture.GetAsync();
        var before = pair.EngineB.GetSnapshot();
        var keys = pair.EngineB.Session!;

        // Well-formed probes for B's session, with an epoch B cannot open (neither previous, current nor next).
        const int Sent = 25;
        var target = new IPEndPoint(IPAddress.Parse(NamespaceTopology.AddressB(0)), StriperPair.Port);
        using var attacker = pair.Topology.UdpSocketInA();
        for (var i = 0; i < Sent; i++)
        {
            var probe = new byte[WireFormat.HeaderLength + ProbeMessage.Length + WireFormat.TagLength];
            WireFormat.WriteHeader(probe, MessageType.Probe, 0, (byte)(keys.RxEpoch + 100), 0, keys.RxTag, 1, 7_000_000_000UL + (ulong)i);
            attacker.SendTo(probe, target);
        }

        await Until.TrueAsync(() => pair.EngineB.GetSnapshot().Paths[0].RxAuthFailures - before.Paths[0].RxAuthFailures >= Sent, TimeSpan.FromSeconds(5));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        var after = pair.EngineB.GetSnapshot();
        var perPath = after.Paths.Sum(p => p.RxAuthFailures) - before.Paths.Sum(p => p.RxAuthFailures);
        Assert.Equal(Sent, perPath);
        Assert.Equal(Sent, after.AuthFailures - before.AuthFailures);
        Assert.Equal(Sent, after.BadEpoch - before.BadEpoch);
    }

    [Fact(Timeout = 120_000)]
    public async Task InjectedGarbageForgedReplayedAndWrongKey_CountedAndDropped_TransferUnaffected()
    {
        Privileged.Require("network namespaces, veth, TUN, AF_PACKET");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        var pair = await fixture.GetAsync();
        var topology = pair.Topology;
        var before = pair.EngineB.GetSnapshot();
        var peerBefore = before.Paths[0].Peer;
        var transfer = Iperf.StartTcp(topology, StriperPair.TunnelB, "-t", "5");
        await using var finish = new BackgroundTransfer(transfer);
        await Task.Delay(800, TestContext.Current.CancellationToken);

        // Record real datagrams from A to B's listening port in the middle, as an attacker on the path would.
        var recorded = PacketCapture.UdpPayloads(NamespaceTopology.NamespacePath(topology.M), StriperPair.Port, 40, TimeSpan.FromSeconds(3),
            payload => WireHeader.TryParse(payload, out var h) && h.Type == MessageType.Data);
        Assert.True(recorded.Count >= 20, $"captured {recorded.Count} datagrams");

        var target = new IPEndPoint(IPAddress.Parse(NamespaceTopology.AddressB(0)), StriperPair.Port);
        using var attacker = topology.UdpSocketInA();
        var random = new Random(42);

        // 1. Replays of authentic datagrams.
        foreach (var datagram in recorded)
        {
            attacker.SendTo(datagram, target);
        }

        // 2. Authentic datagrams with a fresh counter and one bit flipped: forgeries.
        var forged = 0;
        foreach (var datagram in recorded)
        {
            var copy = (byte[])datagram.Clone();
            BinaryPrimitives.WriteUInt64BigEndian(copy.AsSpan(12), BinaryPrimitives.ReadUInt64BigEndian(copy.AsSpan(12)) + 1_000_000_000UL + (ulong)forged);
            var bit = random.Next(WireFormat.HeaderLength * 8, copy.Length * 8);
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            attacker.SendTo(copy, target);
            forged++;
        }

        // 3. Well-formed datagrams for B's session sealed with a wrong key, and hellos sealed with a wrong pre-shared key.
        var rxTag = pair.EngineB.Session!.RxTag;
        using var wrong = new AeadCipher(StriperCipher.Aes256Gcm, RandomNumberGenerator.GetBytes(32));
        using var wrongHello = new AeadCipher(StriperCipher.Aes256Gcm, KeySchedule.HelloKey(KeySchedule.ExtractPrk(RandomNumberGenerator.GetBytes(32))));
        for (var i = 0; i < 30; i++)
        {
            var probe = new byte[WireFormat.HeaderLength + ProbeMessage.Length + WireFormat.TagLength];
            WireFormat.WriteHeader(probe, MessageType.Probe, 0, 0, 0, rxTag, 1, 5_000_000_000UL + (ulong)i);
            wrong.Seal(probe.AsSpan(8, 12), new byte[ProbeMessage.Length], probe.AsSpan(WireFormat.HeaderLength, ProbeMessage.Length), probe.AsSpan(WireFormat.HeaderLength + ProbeMessage.Length), probe.AsSpan(0, WireFormat.HeaderLength));
            attacker.SendTo(probe, target);

            var hello = new byte[WireFormat.HeaderLength + HelloMessage.Length + WireFormat.TagLength];
            WireFormat.WriteHeader(hello, MessageType.Hello, 0, 0, 0, 0, 0, 0);
            RandomNumberGenerator.Fill(hello.AsSpan(8, 12));
            var body = new byte[HelloMessage.Length];
            using var share = new EphemeralShare();
            HelloMessage.Write(body, 0, share.Random, share.PublicKey, default, 0);
            wrongHello.Seal(hello.AsSpan(8, 12), body, hello.AsSpan(WireFormat.HeaderLength, HelloMessage.Length), hello.AsSpan(WireFormat.HeaderLength + HelloMessage.Length), hello.AsSpan(0, WireFormat.HeaderLength));
            attacker.SendTo(hello, target);
        }

        // 4. Authentic datagrams cut short.
        foreach (var datagram in recorded)
        {
            attacker.SendTo(datagram.AsSpan(0, random.Next(0, datagram.Length - 1)), target);
        }

        // 5. Garbage: random lengths and bytes, some with a valid-looking first byte.
        for (var i = 0; i < 300; i++)
        {
            var garbage = new byte[random.Next(0, 1500)];
            random.NextBytes(garbage);
            if (garbage.Length > 0 && i % 3 == 0)
            {
                garbage[0] = (byte)((WireFormat.Version << 4) | random.Next(0, 8));
            }

            attacker.SendTo(garbage, target);
        }

        var result = await transfer;
        var after = pair.EngineB.GetSnapshot();

        var deltas = $"replays {after.Replays - before.Replays}, auth {after.AuthFailures - before.AuthFailures}, malformed {after.Malformed - before.Malformed}, " +
            $"unknown session {after.UnknownSession - before.UnknownSession}, duplicates {after.Duplicates - before.Duplicates}; sent {recorded.Count} replays, {forged} forged";
        TestContext.Current.TestOutputHelper?.WriteLine(deltas);
        Assert.True(result.Completed, result.ToString());
        Assert.True(after.Replays - before.Replays >= recorded.Count, $"replays {after.Replays - before.Replays} of {recorded.Count}");
        Assert.True(after.AuthFailures - before.AuthFailures >= forged + 60, deltas);
        var dropped = (after.Malformed + after.AuthFailures + after.Replays + after.UnknownSession)
            - (before.Malformed + before.AuthFailures + before.Replays + before.UnknownSession);
        Assert.True(dropped >= recorded.Count + forged + 60 + recorded.Count + 300, $"dropped {dropped}");
        Assert.Equal(before.Sessions, after.Sessions);
        Assert.Equal(peerBefore, after.Paths[0].Peer); // nothing injected from another address moved the path
    }
}
