using System.Net;
using System.Net.Sockets;
using Fleet.Striper.Interop;

namespace Fleet.Striper.Paths;

/// <summary>Outcome of a send on a path (expected failures are results, docs/conventions.md, rule 12).</summary>
public enum SendResult
{
    /// <summary>The kernel took the datagrams.</summary>
    Sent,

    /// <summary>The socket buffer is full (EAGAIN/ENOBUFS); the datagrams were dropped.</summary>
    BufferFull,

    /// <summary>The local link or route is gone (ENETDOWN, ENETUNREACH, EHOSTUNREACH, ENXIO, ENODEV).</summary>
    LinkDown,

    /// <summary>A datagram is larger than the path MTU (EMSGSIZE).</summary>
    TooBig,

    /// <summary>No peer address is known for the path yet.</summary>
    NoPeer,

    /// <summary>Any other error.</summary>
    Failed,
}

/// <summary>
/// The UDP socket of one path: bound to the member's address and port and to its device (SO_BINDTODEVICE, socket(7)),
/// non-blocking, with large buffers. UDP GSO (UDP_SEGMENT: one sendmsg carries a train of equal-sized datagrams) and
/// UDP GRO (one recvmsg returns a coalesced train) are probed at open (udp(7), Linux 4.18 / 5.0) and used when present.
/// </summary>
internal sealed unsafe class UdpPathSocket : IDisposable
{
    /// <summary>Most datagrams the kernel accepts in one GSO send (UDP_MAX_SEGMENTS on every kernel with GSO).</summary>
    public const int MaxGsoSegments = 64;

    /// <summary>Most payload bytes of one GSO send (the IPv4 total length limit minus headers, with margin).</summary>
    public const int MaxGsoBytes = 65000;

    private const int ControlBytes = 64;

    private UdpPathSocket(FileDescriptorHandle fd, AddressFamily family, string device, int localPort, bool gso, bool gro)
    {
        Fd = fd;
        Family = family;
        Device = device;
        LocalPort = localPort;
        GsoEnabled = gso;
        GroEnabled = gro;
    }

    public FileDescriptorHandle Fd { get; }

    public AddressFamily Family { get; }

    public string Device { get; }

    /// <summary>The bound port (the kernel's choice when the member has no local port).</summary>
    public int LocalPort { get; }

    /// <summary>UDP GSO works on this socket (cleared when the device refuses it at send time).</summary>
    public bool GsoEnabled { get; private set; }

    /// <summary>UDP GRO is on: received messages may hold several datagrams of one size.</summary>
    public bool GroEnabled { get; }

    /// <summary>
    /// Opens and binds the socket; throws <see cref="NativeCallException"/> when binding fails. With
    /// <paramref name="reusePort"/> (SO_REUSEPORT, socket(7)) several sockets of this process bind the same address and
    /// port and the kernel spreads the datagrams among them (see <see cref="AttachReusePortFilter"/>).
    /// </summary>
    public static UdpPathSocket Open(AddressFamily family, IPAddress? localAddress, int localPort, string device, int bufferBytes, bool useOffloads,
        bool reusePort = false)
    {
        var domain = family == AddressFamily.InterNetworkV6 ? Native.AF_INET6 : Native.AF_INET;
        var fd = Libc.Socket(domain, Native.SOCK_DGRAM | Native.SOCK_NONBLOCK | Native.SOCK_CLOEXEC, 0);
        if (fd.IsInvalid)
        {
            var error = LastError.Get();
            fd.Dispose();
            throw new NativeCallException("socket(SOCK_DGRAM)", error);
        }

        try
        {
            // Bound to the member's device so the path really leaves through it whatever the routing table says.
            var name = System.Text.Encoding.ASCII.GetBytes(device + "\0");
            fixed (byte* p = name)
            {
                if (Libc.SetSockOpt(fd, Native.SOL_SOCKET, Native.SO_BINDTODEVICE, p, (uint)name.Length) != 0)
                {
                    throw new NativeCallException($"setsockopt(SO_BINDTODEVICE, {device})", LastError.Get());
                }
            }

            // FORCE variants pass net.core.[rw]mem_max with CAP_NET_ADMIN; fall back to what the limit allows.
            if (!SystemCalls.TrySetInt(fd, Native.SOL_SOCKET, Native.SO_RCVBUFFORCE, bufferBytes, out _))
            {
                SystemCalls.TrySetInt(fd, Native.SOL_SOCKET, Native.SO_RCVBUF, bufferBytes, out _);
            }

            if (!SystemCalls.TrySetInt(fd, Native.SOL_SOCKET, Native.SO_SNDBUFFORCE, bufferBytes, out _))
            {
                SystemCalls.TrySetInt(fd, Native.SOL_SOCKET, Native.SO_SNDBUF, bufferBytes, out _);
            }

            // Never fragment: the TUN MTU is sized so every datagram fits the path.
            if (domain == Native.AF_INET)
            {
                SystemCalls.TrySetInt(fd, Native.IPPROTO_IP, Native.IP_MTU_DISCOVER, Native.IP_PMTUDISC_DO, out _);
            }
            else
            {
                SystemCalls.TrySetInt(fd, Native.IPPROTO_IPV6, Native.IPV6_V6ONLY, 1, out _);
                SystemCalls.TrySetInt(fd, Native.IPPROTO_IPV6, Native.IPV6_MTU_DISCOVER, Native.IPV6_PMTUDISC_DO, out _);
            }

            if (reusePort)
            {
                SystemCalls.SetInt(fd, Native.SOL_SOCKET, Native.SO_REUSEPORT, 1, "SO_REUSEPORT");
            }

            var bindAddress = RawSocketAddress.From(new IPEndPoint(
                localAddress ?? (domain == Native.AF_INET ? IPAddress.Any : IPAddress.IPv6Any), localPort));
            if (Libc.Bind(fd, &bindAddress.Bytes, (uint)bindAddress.Length) != 0)
            {
                throw new NativeCallException($"bind({bindAddress}) on {device}", LastError.Get());
            }

            var bound = default(SocketAddressBytes);
            uint boundLength = SocketAddressBytes.MaxLength;
            var port = localPort;
            if (Libc.GetSockName(fd, &bound, &boundLength) == 0)
            {
                port = RawSocketAddress.FromKernel(bound, (int)boundLength).ToEndPoint()?.Port ?? localPort;
            }

            var gso = false;
            var gro = false;
            if (useOffloads)
            {
                // Setting a socket-wide segment size proves the kernel knows UDP_SEGMENT; we then pass it per send.
                gso = SystemCalls.TrySetInt(fd, Native.IPPROTO_UDP, Native.UDP_SEGMENT, 1200, out _)
                    && SystemCalls.TrySetInt(fd, Native.IPPROTO_UDP, Native.UDP_SEGMENT, 0, out _);
                gro = SystemCalls.TrySetInt(fd, Native.IPPROTO_UDP, Native.UDP_GRO, 1, out _);
            }

            return new UdpPathSocket(fd, family, device, port, gso, gro);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Attaches a classic BPF program that picks, for each datagram, the socket of this socket's SO_REUSEPORT group
    /// that receives it: the program's result indexes the group's sockets in the order they were bound; the kernel
    /// runs it with the UDP payload at offset 0 (SO_ATTACH_REUSEPORT_CBPF, socket(7), Linux 4.5).
    /// </summary>
    public void AttachReusePortFilter(ReadOnlySpan<SocketFilterInstruction> program)
    {
        fixed (SocketFilterInstruction* instructions = program)
        {
            var fprog = new SocketFilterProgram { Length = (ushort)program.Length, Filter = instructions };
            if (Libc.SetSockOpt(Fd, Native.SOL_SOCKET, Native.SO_ATTACH_REUSEPORT_CBPF, &fprog, (uint)sizeof(SocketFilterProgram)) != 0)
            {
                throw new NativeCallException("setsockopt(SO_ATTACH_REUSEPORT_CBPF)", LastError.Get());
            }
        }
    }

    /// <summary>Sends one datagram.</summary>
    public SendResult Send(byte* data, int length, in RawSocketAddress peer)
    {
        if (peer.IsEmpty)
        {
            return SendResult.NoPeer;
        }

        var address = peer;
        IoVec iov;
        iov.Base = data;
        iov.Length = (nuint)length;
        var message = default(MessageHeader);
        message.Name = &address.Bytes;
        message.NameLength = (uint)address.Length;
        message.Iov = &iov;
        message.IovLength = 1;
        return SystemCalls.SendMsg(Fd, &message, out var error) >= 0 ? SendResult.Sent : Classify(error);
    }

    /// <summary>
    /// Sends <paramref name="count"/> datagrams laid out back to back at <paramref name="data"/>, each
    /// <paramref name="segmentSize"/> bytes except the last, which may be shorter: one GSO sendmsg when the socket has
    /// GSO, else one sendmmsg.
    /// </summary>
    public SendResult SendTrain(byte* data, int totalLength, int segmentSize, int count, in RawSocketAddress peer, MultiMessageHeader* scratch, IoVec* scratchIov)
    {
        if (peer.IsEmpty)
        {
            return SendResult.NoPeer;
        }

        if (count == 1)
        {
            return Send(data, totalLength, peer);
        }

        var address = peer;
        if (GsoEnabled)
        {
            IoVec iov;
            iov.Base = data;
            iov.Length = (nuint)totalLength;
            var message = default(MessageHeader);
            message.Name = &address.Bytes;
            message.NameLength = (uint)address.Length;
            message.Iov = &iov;
            message.IovLength = 1;
            // On the stack, not per socket: an aggregator's transmit workers send on one socket at once.
            var control = stackalloc ulong[ControlBytes / sizeof(ulong)];
            var cmsg = (ControlMessageHeader*)control;
            cmsg->Length = (nuint)(sizeof(ControlMessageHeader) + sizeof(ushort));
            cmsg->Level = Native.IPPROTO_UDP;
            cmsg->Type = Native.UDP_SEGMENT;
            *(ushort*)(cmsg + 1) = (ushort)segmentSize;
            message.Control = cmsg;
            message.ControlLength = (nuint)(sizeof(ControlMessageHeader) + 8);
            if (SystemCalls.SendMsg(Fd, &message, out var error) >= 0)
            {
                return SendResult.Sent;
            }

            if (error != Errno.EIO)
            {
                return Classify(error);
            }

            // EIO: the device cannot checksum-offload UDP, which GSO needs (udp_send_skb). Never try again.
            GsoEnabled = false;
        }

        for (var i = 0; i < count; i++)
        {
            var offset = i * segmentSize;
            scratchIov[i].Base = data + offset;
            scratchIov[i].Length = (nuint)Math.Min(segmentSize, totalLength - offset);
            ref var m = ref scratch[i].Header;
            m = default;
            m.Name = &address.Bytes;
            m.NameLength = (uint)address.Length;
            m.Iov = &scratchIov[i];
            m.IovLength = 1;
        }

        var sent = 0;
        while (sent < count)
        {
            var n = SystemCalls.SendMmsg(Fd, scratch + sent, count - sent, out var error);
            if (n <= 0)
            {
                return Classify(error);
            }

            sent += n;
        }

        return SendResult.Sent;
    }

    /// <summary>Whether the member's device is up with carrier.</summary>
    public bool DeviceRunning() => Tun.InterfaceControl.IsRunning(Fd, Device);

    public void Dispose() => Fd.Dispose();

    private static SendResult Classify(Errno error) => error switch
    {
        Errno.EAGAIN or Errno.ENOBUFS => SendResult.BufferFull,
        Errno.ENETDOWN or Errno.ENETUNREACH or Errno.EHOSTUNREACH or Errno.ENXIO or Errno.ENODEV or Errno.EADDRNOTAVAIL => SendResult.LinkDown,
        Errno.EMSGSIZE => SendResult.TooBig,
        _ => SendResult.Failed,
    };
}
