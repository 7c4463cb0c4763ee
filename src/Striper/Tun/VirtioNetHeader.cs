using System.Buffers.Binary;

namespace Fleet.Striper.Tun;

/// <summary>
/// <c>struct virtio_net_hdr</c> (virtio spec 5.1.6; include/uapi/linux/virtio_net.h), the 10-byte prefix of every TUN
/// read and write once IFF_VNET_HDR is on. It carries the offload state of a packet: a TCP "super-packet" of up to
/// 64 KiB to be segmented at <see cref="GsoSize"/> (TSO/GSO), or a checksum still to be completed (NEEDS_CSUM).
/// Little-endian, as virtio 1.0 and TUN on little-endian hosts define it.
/// </summary>
internal struct VirtioNetHeader
{
    /// <summary>Size in bytes.</summary>
    public const int Length = 10;

    /// <summary>flags: the checksum from <see cref="CsumStart"/> must still be computed and stored at <see cref="CsumOffset"/>.</summary>
    public const byte FlagNeedsChecksum = 1;

    /// <summary>gso_type values.</summary>
    public const byte GsoNone = 0;

    /// <summary>TCP over IPv4 segmentation.</summary>
    public const byte GsoTcpV4 = 1;

    /// <summary>UDP fragmentation offload (obsolete).</summary>
    public const byte GsoUdp = 3;

    /// <summary>TCP over IPv6 segmentation.</summary>
    public const byte GsoTcpV6 = 4;

    /// <summary>UDP segmentation offload.</summary>
    public const byte GsoUdpL4 = 5;

    /// <summary>ECN bit: the TCP packet carries CWR.</summary>
    public const byte GsoEcn = 0x80;

    /// <summary>flags.</summary>
    public byte Flags;

    /// <summary>gso_type.</summary>
    public byte GsoType;

    /// <summary>Length of the headers to replicate on every segment.</summary>
    public ushort HeaderLength;

    /// <summary>Payload bytes per segment.</summary>
    public ushort GsoSize;

    /// <summary>Where the checksummed region starts.</summary>
    public ushort CsumStart;

    /// <summary>Where, from <see cref="CsumStart"/>, the checksum goes.</summary>
    public ushort CsumOffset;

    /// <summary>Reads a header from the first 10 bytes of <paramref name="source"/>.</summary>
    public static VirtioNetHeader Read(ReadOnlySpan<byte> source) => new()
    {
        Flags = source[0],
        GsoType = source[1],
        HeaderLength = BinaryPrimitives.ReadUInt16LittleEndian(source[2..]),
        GsoSize = BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
        CsumStart = BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
        CsumOffset = BinaryPrimitives.ReadUInt16LittleEndian(source[8..]),
    };

    /// <summary>Writes the header to the first 10 bytes of <paramref name="destination"/>.</summary>
    public readonly void Write(Span<byte> destination)
    {
        destination[0] = Flags;
        destination[1] = GsoType;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], GsoSize);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], CsumStart);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], CsumOffset);
    }
}
