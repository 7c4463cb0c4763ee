using System.Net;
using System.Net.Sockets;
using Fleet.Contracts.Links;
using Fleet.Striper.Paths;
using Fleet.Striper.Tun;
using Fleet.Striper.Wire;

namespace Fleet.Striper.Engine;

/// <summary>Creates what an engine runs on: one UDP socket per member and the TUN device, up, with an MTU every path can carry.</summary>
internal static class LinkDevices
{
    public static (TunDevice Tun, PathRuntime[] Paths, int Mtu) Create(LinkSpec spec, StriperEngineOptions options)
    {
        var members = spec.Members;
        var sockets = new List<PathRuntime>();
        TunDevice? tun = null;
        try
        {
            var minMtu = int.MaxValue;
            var anyV6 = false;
            for (var i = 0; i < members.Count; i++)
            {
                var member = members[i];
                var peer = member.Peer is null ? null : IPEndPoint.Parse(member.Peer);
                var local = member.Address is null ? null : IPAddress.Parse(member.Address);
                var family = peer?.AddressFamily ?? local?.AddressFamily ?? AddressFamily.InterNetwork;
                anyV6 |= family == AddressFamily.InterNetworkV6;
                var socket = UdpPathSocket.Open(family, local, member.LocalPort ?? 0, member.Interface, options.SocketBufferBytes, options.UseOffloads);
                var configured = peer is null ? default : RawSocketAddress.From(peer);
                sockets.Add(new PathRuntime(i, member, socket, configured, StriperEngine.ThresholdsFrom(spec.Striper!)));
                minMtu = Math.Min(minMtu, InterfaceControl.GetMtu(member.Interface) ?? 1500);
            }

            // Each datagram carries the inner packet plus our header and tag inside UDP and IP; it must fit every path.
            var outer = (anyV6 ? 40 : 20) + 8 + WireFormat.DataOverhead;
            var mtu = spec.Mtu ?? Math.Max(576, minMtu - outer);
            tun = TunDevice.Create(spec.Name, new TunRequest(options.UseOffloads, options.MultiQueue));
            InterfaceControl.SetMtu(tun.Name, mtu);
            InterfaceControl.SetTxQueueLength(tun.Name, options.TxQueueLength);
            InterfaceControl.SetUp(tun.Name);
            return (tun, sockets.ToArray(), mtu);
        }
        catch
        {
            foreach (var path in sockets)
            {
                path.Dispose();
            }

            tun?.Dispose();
            throw;
        }
    }
}
