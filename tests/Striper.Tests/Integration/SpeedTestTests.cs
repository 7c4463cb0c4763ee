using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Fleet.Contracts.Doctor;
using Fleet.Contracts.Links;
using Fleet.Striper.Crypto;
using Fleet.Striper.SpeedTest;
using Fleet.Striper.Wire;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>The path speed test on a real link: what it measures on tbf-shaped paths, and what it does with bad load.</summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class SpeedTestTests
{
    private static readonly int[] s_ratesMbit = [10, 30];

    [Fact(Timeout = 120_000)]
    public async Task RunSpeedTest_ShapedPathsCarryingATcpFlow_EachCapacityWithinFifteenPercentOfItsRate_FlowKeepsGoing()
    {
        Privileged.Require("network namespaces, veth, TUN, tc tbf");
        Privileged.RequireTool(Iperf.Path, "iperf3");
        await using var topology = await NamespaceTopology.CreateAsync(2, s_ratesMbit);
        using var pair = await StriperPair.StartAsync(topology, StripeSchedulerKind.EarliestArrival);
        var transfer = Iperf.TcpAsync(topology, StriperPair.TunnelB, "-t", "7");
        await using var background = new BackgroundTransfer(transfer);
        Assert.True(await Until.TrueAsync(() => pair.EngineB.GetSnapshot().Paths.Sum(p => p.RxDataBytes) > 1 << 20, TimeSpan.FromSeconds(5)), "no TCP flow");

        var (before, _) = await DeliveredAsync(pair, async () =>
        {
            await Task.Delay(1500, TestContext.Current.CancellationToken);
            return true;
        });
        var (during, result) = await DeliveredAsync(pair, () => pair.EngineA.RunSpeedTestAsync(new SpeedTestRequest { MaxRateBitsPerSecond = 60e6 }, TestContext.Current.CancellationToken));
        var flow = await transfer;

        var report = $"test {result.Duration.TotalSeconds:F2} s, together {result.TogetherBitsPerSecond / 1e6:F1} Mbit/s; " +
            string.Join("; ", result.Paths.Select((p, i) => $"{p.Member} (tbf {s_ratesMbit[i]}): {p.CapacityBitsPerSecond / 1e6:F2} Mbit/s alone, {p.TogetherBitsPerSecond / 1e6:F2} together, " +
                $"rtt {p.RttIdleMilliseconds:F1} → {p.RttLoadedMilliseconds:F1} ms, loss {p.LossPercent:F1} %, saturated {p.Saturated} {p.Problem}")) +
            $"; TCP flow {before / 1e6:F1} Mbit/s before, {during / 1e6:F1} during; {flow}";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.Null(result.Error);
        for (var i = 0; i < s_ratesMbit.Length; i++)
        {
            var path = result.Paths[i];
            Assert.True(path.Measured && path.Saturated, report);
            Assert.InRange(path.CapacityBitsPerSecond, s_ratesMbit[i] * 0.85e6, s_ratesMbit[i] * 1.15e6);
            Assert.InRange(path.TogetherBitsPerSecond, s_ratesMbit[i] * 0.85e6, s_ratesMbit[i] * 1.15e6);
            Assert.True(path.RttLoadedMilliseconds > path.RttIdleMilliseconds, report);
        }

        Assert.True(flow.Completed, report);
        Assert.True(during > 0.1 * before, report);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunSpeedTest_TwiceOnOneLink_SecondMeasuresTooWithoutReplays()
    {
        // Stream 3's counter lasts as long as the session: a second test must not repeat the first one's nonces.
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await NamespaceTopology.CreateAsync(1);
        using var pair = await StriperPair.StartAsync(topology);
        var request = new SpeedTestRequest { MaxRateBitsPerSecond = 20e6 };
        var before = pair.EngineB.GetSnapshot();

        var first = await pair.EngineA.RunSpeedTestAsync(request, TestContext.Current.CancellationToken);
        var second = await pair.EngineA.RunSpeedTestAsync(request, TestContext.Current.CancellationToken);
        var after = pair.EngineB.GetSnapshot();

        Assert.True(first.Paths[0].Measured && second.Paths[0].Measured, $"{first.Paths[0]} / {second.Paths[0]}");
        Assert.InRange(second.Paths[0].CapacityBitsPerSecond, 0.85 * first.Paths[0].CapacityBitsPerSecond, 1.15 * first.Paths[0].CapacityBitsPerSecond);
        Assert.Equal(before.Paths[0].RxReplays, after.Paths[0].RxReplays);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunSpeedTest_EightAskAtOnceThenTheEngineStops_OneRunsTheOthersAreRefused_StopEndsItWithoutReplays()
    {
        // One test at a time, one stream 3 sender for the engine's life, and disposal while a test runs neither frees
        // the sender under it nor hangs.
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await NamespaceTopology.CreateAsync(1);
        using var pair = await StriperPair.StartAsync(topology);
        var request = new SpeedTestRequest { MaxRateBitsPerSecond = 20e6 };
        var before = pair.EngineB.GetSnapshot();
        using var start = new Barrier(8);

        var asked = new Task<SpeedTestResult>[8];
        await Task.WhenAll(asked.Select((_, i) => Task.Run(() =>
        {
            start.SignalAndWait(TestContext.Current.CancellationToken);
            asked[i] = pair.EngineA.RunSpeedTestAsync(request, TestContext.Current.CancellationToken);
        }, TestContext.Current.CancellationToken)));
        var refused = asked.Where(t => t.IsCompleted && t.Result.Error is not null).ToList();
        var running = Assert.Single(asked, t => !refused.Contains(t));
        Assert.All(refused, t => Assert.Equal("a speed test is already running on this link", t.Result.Error));

        // A second test after the first one ended uses the same sender, so B sees no replayed counter.
        Assert.Null((await running).Error);
        var second = pair.EngineA.RunSpeedTestAsync(request, TestContext.Current.CancellationToken);
        Assert.True(await Until.TrueAsync(() => pair.EngineB.GetSnapshot().SpeedTestLoadReceived > before.SpeedTestLoadReceived + 1, TimeSpan.FromSeconds(5)), "the second test sent no load");
        Assert.Equal(before.Paths[0].RxReplays, pair.EngineB.GetSnapshot().Paths[0].RxReplays);

        var stopping = Stopwatch.StartNew();
        pair.EngineA.Dispose();
        var ended = await second.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(6), $"disposal took {stopping.Elapsed}");
        Assert.Equal("the link is stopping", (await pair.EngineA.RunSpeedTestAsync(request, TestContext.Current.CancellationToken)).Error);
        TestContext.Current.TestOutputHelper?.WriteLine($"stopped mid-test: {ended.Duration.TotalSeconds:F2} s, {ended.Error}, {string.Join("; ", ended.Paths)}");
    }

    [Fact(Timeout = 60_000)]
    public async Task SpeedTestLoad_ForgedOrMalformed_CountedAndDroppedUnanswered()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await NamespaceTopology.CreateAsync(1);
        using var pair = await StriperPair.StartAsync(topology);
        var keys = pair.EngineA.Session!;
        var cipher = keys.CurrentTx.Ciphers[SpeedTestRunner.Stream];
        using var wrong = new AeadCipher(StriperCipher.Aes256Gcm, RandomNumberGenerator.GetBytes(32));
        var target = new IPEndPoint(IPAddress.Parse(NamespaceTopology.AddressB(0)), StriperPair.Port);
        using var sender = topology.UdpSocketInA();
        var counter = 1_000_000UL;
        byte[] Sealed(AeadCipher with, Action<byte[]> spoil)
        {
            var body = new byte[1000];
            new SpeedTestMessage { TestId = 1, Step = 1, Answer = true, Sequence = 1, SendTimeMicros = 1 }.Write(body);
            spoil(body);
            var datagram = new byte[WireFormat.HeaderLength + body.Length + WireFormat.TagLength];
            WireFormat.WriteHeader(datagram, MessageType.SpeedTest, 0, (byte)keys.CurrentTx.Epoch, 0, keys.TxTag, SpeedTestRunner.Stream, ++counter);
            with.Seal(datagram.AsSpan(WireFormat.NonceOffset, WireFormat.NonceLength), body, datagram.AsSpan(WireFormat.HeaderLength, body.Length),
                datagram.AsSpan(WireFormat.HeaderLength + body.Length), datagram.AsSpan(0, WireFormat.HeaderLength));
            return datagram;
        }

        var before = pair.EngineB.GetSnapshot();
        const int Each = 20;
        for (var i = 0; i < Each; i++)
        {
            sender.SendTo(Sealed(wrong, _ => { }), target); // forged: another key
            sender.SendTo(Sealed(cipher, b => b[500] = 1), target); // authentic, padding not zero
            sender.SendTo(Sealed(cipher, b => b[5] = 0x80), target); // authentic, an unknown flag
            sender.SendTo(Sealed(cipher, _ => { }).AsSpan(0, WireFormat.HeaderLength + SpeedTestMessage.MinLength - 1), target); // shorter than any load
        }

        sender.SendTo(Sealed(cipher, _ => { }), target); // and one good one
        Assert.True(await Until.TrueAsync(() => pair.EngineB.GetSnapshot().SpeedTestAcksSent > before.SpeedTestAcksSent, TimeSpan.FromSeconds(5)), "the good load was not answered");
        var after = pair.EngineB.GetSnapshot();

        Assert.Equal(Each, after.Paths[0].RxAuthFailures - before.Paths[0].RxAuthFailures);
        Assert.Equal(3 * Each, after.Paths[0].RxMalformed - before.Paths[0].RxMalformed);
        Assert.Equal(1, after.SpeedTestLoadReceived - before.SpeedTestLoadReceived);
        Assert.Equal(1, after.SpeedTestAcksSent - before.SpeedTestAcksSent);
    }

    /// <summary>The user data B received while <paramref name="during"/> ran, in bit/s.</summary>
    private static async Task<(double BitsPerSecond, T Result)> DeliveredAsync<T>(StriperPair pair, Func<Task<T>> during)
    {
        var bytes = pair.EngineB.GetSnapshot().Paths.Sum(p => p.RxDataBytes);
        var clock = Stopwatch.StartNew();
        var result = await during();
        var delivered = pair.EngineB.GetSnapshot().Paths.Sum(p => p.RxDataBytes) - bytes;
        return (delivered * 8 / clock.Elapsed.TotalSeconds, result);
    }
}
