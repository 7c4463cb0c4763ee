using System.Buffers.Binary;
using Fleet.Striper.Engine;
using Fleet.Striper.Interop;

namespace Fleet.Striper.Tests.Integration;

/// <summary>
/// Captures UDP payloads to one port inside a namespace with an AF_PACKET socket (<c>packet(7)</c>): what a
/// man-in-the-middle on the path would record, to replay later.
/// </summary>
internal static unsafe class PacketCapture
{
    private const int AfPacket = 17;
    private const int EthPIpNetworkOrder = 0x0008; // htons(ETH_P_IP)
    private const int SolPacket = 263;
    private const int PacketVnetHdr = 15;
    private const int VnetHeaderLength = 10;
    private const int SockRaw = 3;
    private const int EthernetHeaderLength = 14;

    public static List<byte[]> UdpPayloads(string namespacePath, ushort destinationPort, int count, TimeSpan timeout, Func<byte[], bool> accept) =>
        UdpPayloads(namespacePath, (_, destination) => destination == destinationPort, count, timeout, accept);

    /// <summary>Captures UDP payloads whose (source, destination) ports <paramref name="ports"/> accepts.</summary>
    public static List<byte[]> UdpPayloads(string namespacePath, Func<ushort, ushort, bool> ports, int count, TimeSpan timeout, Func<byte[], bool> accept)
    {
        using var fd = NetworkNamespace.Run(namespacePath, () => Libc.Socket(AfPacket, SockRaw | Native.SOCK_NONBLOCK, EthPIpNetworkOrder));
        Assert.False(fd.IsInvalid, "AF_PACKET socket");

        // UDP GSO trains cross the middle as one skb; the virtio header (SOCK_RAW only) says where to cut them.
        var on = 1;
        Assert.Equal(0, Libc.SetSockOpt(fd, SolPacket, PacketVnetHdr, &on, sizeof(int)));
        var captured = new List<byte[]>();
        var buffer = new byte[65536];
        var deadline = DateTime.UtcNow + timeout;
        var poll = default(PollFd);
        poll.Fd = fd.Number;
        poll.Events = Native.POLLIN;
        while (captured.Count < count && DateTime.UtcNow < deadline)
        {
            SystemCalls.Poll(&poll, 1, 50_000_000);
            nint n;
            fixed (byte* p = buffer)
            {
                n = Libc.Read(fd, p, (nuint)buffer.Length);
            }

            if (n < VnetHeaderLength + EthernetHeaderLength + 28)
            {
                continue;
            }

            var gsoType = buffer[1];
            var gsoSize = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(4));
            var packet = buffer.AsSpan(VnetHeaderLength + EthernetHeaderLength, (int)n - VnetHeaderLength - EthernetHeaderLength);
            var headerLength = (packet[0] & 0x0f) * 4;
            if (packet[0] >> 4 != 4 || packet[9] != 17 || n < headerLength + 8
                || !ports(BinaryPrimitives.ReadUInt16BigEndian(packet[headerLength..]), BinaryPrimitives.ReadUInt16BigEndian(packet[(headerLength + 2)..])))
            {
                continue;
            }

            var payload = packet[(headerLength + 8)..];
            var segment = gsoType == 5 && gsoSize > 0 ? gsoSize : payload.Length;
            for (var offset = 0; offset < payload.Length && captured.Count < count; offset += segment)
            {
                var datagram = payload.Slice(offset, Math.Min(segment, payload.Length - offset)).ToArray();
                if (accept(datagram))
                {
                    captured.Add(datagram);
                }
            }
        }

        return captured;
    }
}
