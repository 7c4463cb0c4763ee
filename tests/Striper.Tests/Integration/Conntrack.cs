using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Fleet.Striper.Engine;
using Fleet.Striper.Interop;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// Empties a namespace's connection tracking table through ctnetlink, as <c>conntrack -F</c> does (the tool is not
/// installed on the build machines): a NAT then maps each flow's next packet afresh, which is how a home router or a
/// CGNAT rebinds a site to a new external port.
/// </summary>
internal static unsafe class Conntrack
{
    private const int Netlink = 16; // AF_NETLINK, which System.Net.Sockets does not name
    private const int RawCloseOnExec = 3 | 0x80000; // SOCK_RAW | SOCK_CLOEXEC
    private const int NetlinkNetfilter = 12;
    private const ushort CtnetlinkDelete = (1 << 8) | 2; // NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE
    private const ushort RequestWithAck = 0x1 | 0x4; // NLM_F_REQUEST | NLM_F_ACK
    private const byte Inet = 2;

    /// <summary>Deletes every IPv4 entry in <paramref name="namespaceName"/>; throws with the kernel's errno if it refuses.</summary>
    public static void Flush(string namespaceName)
    {
        using var socket = NetworkNamespace.Run(NamespaceTopology.NamespacePath(namespaceName), () => Libc.Socket(Netlink, RawCloseOnExec, NetlinkNetfilter));
        if (socket.IsInvalid)
        {
            throw new InvalidOperationException($"no ctnetlink socket in {namespaceName}: errno {Marshal.GetLastPInvokeError()}");
        }

        // nlmsghdr (length, type, flags, sequence, port id) and nfgenmsg (family, version, resource id); a delete
        // without a tuple attribute deletes all (linux/netfilter/nfnetlink_conntrack.h).
        var request = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), CtnetlinkDelete);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), RequestWithAck);
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), 1);
        request[16] = Inet;
        fixed (byte* sending = request)
        {
            // An unbound netlink socket sends to the kernel (port id 0).
            if (Libc.Write(socket, sending, (nuint)request.Length) != request.Length)
            {
                throw new InvalidOperationException($"ctnetlink request in {namespaceName} not sent: errno {Marshal.GetLastPInvokeError()}");
            }
        }

        // The acknowledgement is an NLMSG_ERROR whose error field (after the 16-byte header) is 0 or -errno.
        var answer = new byte[256];
        nint length;
        fixed (byte* receiving = answer)
        {
            length = SystemCalls.Read(socket, receiving, answer.Length, out _);
        }

        var error = length >= 20 ? BinaryPrimitives.ReadInt32LittleEndian(answer.AsSpan(16)) : int.MinValue;
        if (error != 0)
        {
            throw new InvalidOperationException($"ctnetlink flush in {namespaceName} failed: error {error}, {length} bytes answered");
        }
    }
}
