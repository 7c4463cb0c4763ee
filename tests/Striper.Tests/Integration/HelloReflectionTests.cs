using System.Net;
using System.Net.Sockets;
using Fleet.Striper.Wire;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>An attacker on the path who records a side's hellos and reflects them, and every answer, back to it.</summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class HelloReflectionTests
{
    [Fact(Timeout = 120_000)]
    public async Task OwnHellosAndAnswersReflected_NeverEstablishesWithItself_RealSessionAndPeerKept()
    {
        Privileged.Require("network namespaces, veth, TUN, AF_PACKET");
        var cancel = TestContext.Current.CancellationToken;
        await using var topology = await NamespaceTopology.CreateAsync(2);

        // Record, in the middle, the hellos the listening end B sends while the link comes up.
        var capture = Task.Run(() => PacketCapture.UdpPayloads(NamespaceTopology.NamespacePath(topology.M), (source, _) => source == StriperPair.Port, 6,
            TimeSpan.FromSeconds(8), payload => WireHeader.TryParse(payload, out var h) && h.Type == MessageType.Hello), cancel);
        await Task.Delay(300, cancel);
        using var pair = await StriperPair.StartAsync(topology);
        var recorded = await capture;
        Assert.NotEmpty(recorded);

        var keys = pair.EngineB.Session;
        var before = pair.EngineB.GetSnapshot();
        var target = new IPEndPoint(IPAddress.Parse(NamespaceTopology.AddressB(0)), StriperPair.Port);
        using var attacker = topology.UdpSocketInA();
        var answers = 0;
        foreach (var hello in recorded)
        {
            // B's own hello, then whatever B answers, back to B, round after round (slower than B's 20 ms answer limit).
            var next = hello;
            for (var round = 0; round < 6 && next is not null; round++)
            {
                attacker.SendTo(next, target);
                next = null;
                if (attacker.Poll(TimeSpan.FromMilliseconds(300), SelectMode.SelectRead))
                {
                    var buffer = new byte[2048];
                    EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                    next = buffer.AsSpan(0, attacker.ReceiveFrom(buffer, ref from)).ToArray();
                    answers++;
                }

                await Task.Delay(30, cancel);
            }
        }

        var ping = await pair.Topology.InAAsync("ping", "-c", "3", "-i", "0.2", "-W", "2", StriperPair.TunnelB);
        var after = pair.EngineB.GetSnapshot();
        var report = $"{recorded.Count} hellos recorded, {answers} answers reflected; B sessions {before.Sessions} -> {after.Sessions}, " +
            $"path 0 peer {before.Paths[0].Peer} -> {after.Paths[0].Peer}, reflected hellos refused {after.ReflectedHellos - before.ReflectedHellos}";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.Equal(before.Sessions, after.Sessions);
        Assert.Same(keys, pair.EngineB.Session);
        Assert.Equal(before.Paths[0].Peer, after.Paths[0].Peer);
        Assert.True(ping.Succeeded, report + ping.Output + ping.Error);
        Assert.True(after.ReflectedHellos - before.ReflectedHellos >= recorded.Count, report);
    }
}
