using System.Net;
using System.Net.Sockets;
using Fleet.Contracts.Links.Aggregators;
using Fleet.Striper.Engine;
using Fleet.Striper.Paths;
using Fleet.Striper.Tun;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Aggregator;

/// <summary>
/// Creates what an aggregator runs on: the TUN device (up, with its MTU) and one lane per worker. With one worker, one
/// plain socket and one queue, as a link's end. With more, each lane has its own socket of one SO_REUSEPORT group on
/// the aggregator's port, steered by <see cref="WorkerSteering"/>, and its own queue of the IFF_MULTI_QUEUE device. A
/// device the kernel would not make multi-queue gets one lane.
/// </summary>
internal static class AggregatorDevices
{
    public static (AggregatorLane[] Lanes, int Mtu) Create(AggregatorSpec spec, StriperEngineOptions options, int workers)
    {
        var address = spec.Address is null ? null : IPAddress.Parse(spec.Address);
        var family = address?.AddressFamily ?? AddressFamily.InterNetwork;

        // As a link's end (LinkDevices): every site's datagrams must fit the aggregator's interface.
        var outer = (family == AddressFamily.InterNetworkV6 ? 40 : 20) + 8 + WireFormat.DataOverhead;
        var mtu = spec.Mtu ?? Math.Max(576, (InterfaceControl.GetMtu(spec.Interface) ?? 1500) - outer);
        var queues = new List<TunDevice>();
        var sockets = new List<UdpPathSocket>();
        try
        {
            var tun = TunDevice.Create(spec.Name, new TunRequest(options.UseOffloads, options.MultiQueue || workers > 1));
            queues.Add(tun);
            if (!tun.Features.MultiQueue)
            {
                workers = 1;
            }

            for (var i = 1; i < workers; i++)
            {
                queues.Add(tun.AttachQueue());
            }

            for (var i = 0; i < workers; i++)
            {
                // Bound in lane order: the steering program's result indexes the group's sockets in that order.
                var port = i == 0 ? spec.Port : sockets[0].LocalPort;
                sockets.Add(UdpPathSocket.Open(family, address, port, spec.Interface, options.SocketBufferBytes, options.UseOffloads, reusePort: workers > 1));
            }

            if (workers > 1)
            {
                sockets[0].AttachReusePortFilter(WorkerSteering.Program(workers));
            }

            InterfaceControl.SetMtu(tun.Name, mtu);
            InterfaceControl.SetTxQueueLength(tun.Name, options.TxQueueLength);
            InterfaceControl.SetUp(tun.Name);
            var lanes = new AggregatorLane[workers];
            for (var i = 0; i < workers; i++)
            {
                lanes[i] = new AggregatorLane(i, sockets[i], queues[i]);
            }

            return (lanes, mtu);
        }
        catch
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            foreach (var queue in queues)
            {
                queue.Dispose();
            }

            throw;
        }
    }
}
