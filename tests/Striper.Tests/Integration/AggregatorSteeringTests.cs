using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Fleet.Striper.Aggregator;
using Fleet.Striper.Interop;
using Fleet.Striper.Paths;
using Fleet.Testing;

namespace Fleet.Striper.Tests.Integration;

/// <summary>The kernel honours the aggregator's receive steering: an SO_REUSEPORT group with <see cref="WorkerSteering"/>'s program.</summary>
[Trait(TestCategories.Name, TestCategories.Privileged)]
public sealed class AggregatorSteeringTests
{
    [Fact]
    public async Task ReusePortGroupWithSteeringProgram_EachDatagramReachesTheSocketOfItsTag()
    {
        Privileged.Require("SO_BINDTODEVICE on lo");
        const int workers = 3;
        var sockets = new List<UdpPathSocket>();
        try
        {
            for (var i = 0; i < workers; i++)
            {
                sockets.Add(UdpPathSocket.Open(AddressFamily.InterNetwork, IPAddress.Loopback, i == 0 ? 0 : sockets[0].LocalPort, "lo", 1 << 20, false, reusePort: true));
            }

            sockets[0].AttachReusePortFilter(WorkerSteering.Program(workers));
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var target = new IPEndPoint(IPAddress.Loopback, sockets[0].LocalPort);
            var tags = Enumerable.Range(0, 60).Select(i => (uint)(i * 2_654_435_761L % uint.MaxValue)).ToArray();
            for (var i = 0; i < tags.Length; i++)
            {
                var datagram = new byte[16];
                BinaryPrimitives.WriteUInt32BigEndian(datagram.AsSpan(4), tags[i]);
                BinaryPrimitives.WriteInt32BigEndian(datagram.AsSpan(8), i);
                client.SendTo(datagram, target);
            }

            client.SendTo(new byte[4], target); // too short to hold a tag: the program's load fails and returns 0

            var received = sockets.Select(_ => new List<int>()).ToArray();
            await Until.TrueAsync(() =>
            {
                for (var w = 0; w < workers; w++)
                {
                    Drain(sockets[w], received[w]);
                }

                return received.Sum(r => r.Count) == tags.Length + 1;
            }, TimeSpan.FromSeconds(5));

            for (var w = 0; w < workers; w++)
            {
                var expected = Enumerable.Range(0, tags.Length).Where(i => WorkerSteering.WorkerOf(tags[i], workers) == w).ToList();
                if (w == 0)
                {
                    expected.Add(-1);
                }

                Assert.Equal(expected, received[w]);
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Adds each datagram queued on <paramref name="socket"/>: its index (bytes 8–11), or -1 for a short one.</summary>
    private static unsafe void Drain(UdpPathSocket socket, List<int> indexes)
    {
        var buffer = stackalloc byte[64];
        while (SystemCalls.Read(socket.Fd, buffer, 64, out _) is var n && n > 0)
        {
            indexes.Add(n >= 12 ? BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(buffer + 8, 4)) : -1);
        }
    }
}
