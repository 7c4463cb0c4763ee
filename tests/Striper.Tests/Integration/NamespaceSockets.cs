using System.Net.Sockets;
using Fleet.Striper.Engine;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// Sockets opened inside a <see cref="NamespaceTopology"/>'s namespaces. Apart from the topology because the
/// container tests compile the topology too and do not reference the striper.
/// </summary>
internal static class NamespaceSockets
{
    /// <summary>A UDP socket in A: what an attacker on A's side (or another program on A) sends from.</summary>
    public static Socket UdpSocketInA(this NamespaceTopology topology) =>
        NetworkNamespace.Run(NamespaceTopology.NamespacePath(topology.A), () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
}
