using System.Net;
using Fleet.Striper.Crypto;
using Fleet.Striper.Wire;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// Control messages that authenticate but whose body is not what their type must be: a peer's bug, or whoever holds
/// the session keys. They are counted malformed and dropped with no effect on the listening end.
/// </summary>
[Collection(StriperNamespaceCollection.Name)]
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class MalformedControlTests
{
    // A stream no thread of A sends on, so these nonces are never used under A's key by anything else.
    private const uint UnusedStream = 5;

    [Fact(Timeout = 60_000)]
    public async Task AuthenticBodiesThatDoNotParse_FromAnotherPort_CountedMalformedAndAddressKept()
    {
        Privileged.Require("network namespaces, veth, TUN");
        await using var topology = await NamespaceTopology.CreateAsync(1);
        using var pair = await StriperPair.StartAsync(topology);
        var keys = pair.EngineA.Session;
        Assert.NotNull(keys);
        var before = pair.EngineB.GetSnapshot().Paths[0];

        // Sealed with A's current keys for B, from a port of A's host that is not A's path: B would follow it if it
        // took any of them as the peer's.
        var bodies = new byte[][]
        {
            new byte[ProbeMessage.Length - 1],
            new byte[ReportMessage.MinLength - 5],
            new byte[SpeedTestAckMessage.Length],
        };
        bodies[2][5] = 1;
        MessageType[] types = [MessageType.Probe, MessageType.Report, MessageType.SpeedTestAck];
        using var sender = topology.UdpSocketInA();
        var target = new IPEndPoint(IPAddress.Parse(NamespaceTopology.AddressB(0)), StriperPair.Port);
        for (var i = 0; i < bodies.Length; i++)
        {
            sender.SendTo(Seal(keys, types[i], bodies[i], counter: (ulong)i + 1), target);
        }

        var arrived = await Until.TrueAsync(() => pair.EngineB.GetSnapshot().Paths[0].RxMalformed - before.RxMalformed >= bodies.Length, TimeSpan.FromSeconds(5));
        var after = pair.EngineB.GetSnapshot().Paths[0];
        var report = $"malformed {before.RxMalformed} -> {after.RxMalformed}, auth failures {before.RxAuthFailures} -> {after.RxAuthFailures}, " +
            $"peer {before.Peer} -> {after.Peer}, address changes {before.AddressChanges} -> {after.AddressChanges}";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(arrived, report);
        Assert.Equal(before.RxAuthFailures, after.RxAuthFailures);
        Assert.Equal(before.AddressChanges, after.AddressChanges);
        Assert.Equal(before.Peer, after.Peer);
    }

    private static byte[] Seal(SessionKeys keys, MessageType type, byte[] body, ulong counter)
    {
        var tx = keys.CurrentTx;
        var datagram = new byte[WireFormat.HeaderLength + body.Length + WireFormat.TagLength];
        WireFormat.WriteHeader(datagram, type, 0, (byte)tx.Epoch, 0, keys.TxTag, UnusedStream, counter);
        var header = datagram.AsSpan(0, WireFormat.HeaderLength);
        // The speed test's cipher (stream 3): no test runs, so no thread of A uses it meanwhile.
        tx.Ciphers[3].Seal(header[WireFormat.NonceOffset..], body, datagram.AsSpan(WireFormat.HeaderLength, body.Length),
            datagram.AsSpan(WireFormat.HeaderLength + body.Length), header);
        return datagram;
    }
}
