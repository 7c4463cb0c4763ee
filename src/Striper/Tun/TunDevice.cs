using Fleet.Striper.Interop;

namespace Fleet.Striper.Tun;

/// <summary>What the kernel accepted when the TUN device was created (probed at start, with fallbacks).</summary>
/// <param name="VnetHeader">IFF_VNET_HDR: every read and write carries a <see cref="VirtioNetHeader"/>.</param>
/// <param name="MultiQueue">IFF_MULTI_QUEUE: the device was created so more queues could be attached.</param>
/// <param name="Checksum">TUN_F_CSUM: packets may arrive with their checksum still to be completed.</param>
/// <param name="Tso">TUN_F_TSO4/TSO6: TCP super-packets up to 64 KiB arrive unsegmented.</param>
/// <param name="TsoEcn">TUN_F_TSO_ECN: super-packets may carry CWR.</param>
public readonly record struct TunFeatures(bool VnetHeader, bool MultiQueue, bool Checksum, bool Tso, bool TsoEcn);

/// <summary>Which TUN features to ask for; the device falls back to less when the kernel refuses.</summary>
/// <param name="VnetHeader">Try IFF_VNET_HDR with checksum and TSO offloads.</param>
/// <param name="MultiQueue">Try IFF_MULTI_QUEUE.</param>
public readonly record struct TunRequest(bool VnetHeader = true, bool MultiQueue = true);

/// <summary>
/// A layer-3 TUN device opened through <c>/dev/net/tun</c> (Documentation/networking/tuntap.rst) with IFF_TUN|IFF_NO_PI,
/// non-blocking. The device lives as long as this object: closing the last queue deletes it, with its addresses and
/// routes. Created in the network namespace of the calling thread.
/// </summary>
public sealed unsafe class TunDevice : IDisposable, IPacketSink
{
    private TunDevice(FileDescriptorHandle queue, string name, TunFeatures features)
    {
        Queue = queue;
        Name = name;
        Features = features;
    }

    /// <summary>The interface name the kernel gave the device.</summary>
    public string Name { get; }

    /// <summary>What the kernel accepted.</summary>
    public TunFeatures Features { get; }

    /// <summary>The queue descriptor the data path reads and writes.</summary>
    internal FileDescriptorHandle Queue { get; }

    /// <summary>
    /// Creates the device <paramref name="name"/>. Probes IFF_VNET_HDR and IFF_MULTI_QUEUE through TUNGETFEATURES and
    /// falls back when TUNSETIFF refuses them; then asks for checksum and TSO offloads, dropping what TUNSETOFFLOAD refuses.
    /// </summary>
    public static TunDevice Create(string name, TunRequest request = default)
    {
        if (request == default)
        {
            request = new TunRequest(true, true);
        }

        uint supported = 0;
        using (var probe = OpenControl())
        {
            if (Libc.Ioctl(probe, Native.TUNGETFEATURES, &supported) != 0)
            {
                supported = (uint)(Native.IFF_TUN | Native.IFF_NO_PI);
            }
        }

        var vnet = request.VnetHeader && (supported & (uint)Native.IFF_VNET_HDR) != 0;
        var multiQueue = request.MultiQueue && (supported & (uint)Native.IFF_MULTI_QUEUE) != 0;
        var attempts = new List<(bool Vnet, bool MultiQueue)> { (vnet, multiQueue) };
        if (multiQueue)
        {
            attempts.Add((vnet, false));
        }

        if (vnet)
        {
            attempts.Add((false, false));
        }

        NativeCallException? last = null;
        foreach (var (tryVnet, tryMultiQueue) in attempts)
        {
            var fd = OpenControl();
            var flags = (short)(Native.IFF_TUN | Native.IFF_NO_PI);
            if (tryVnet)
            {
                flags |= Native.IFF_VNET_HDR;
            }

            if (tryMultiQueue)
            {
                flags |= Native.IFF_MULTI_QUEUE;
            }

            var ifr = default(InterfaceRequest);
            ifr.SetName(name);
            ifr.Flags = flags;
            if (Libc.Ioctl(fd, Native.TUNSETIFF, &ifr) != 0)
            {
                var error = LastError.Get();
                fd.Dispose();
                last = new NativeCallException($"TUNSETIFF({name})", error);
                if (error is Errno.EINVAL or Errno.EOPNOTSUPP)
                {
                    continue;
                }

                throw last;
            }

            var features = new TunFeatures(tryVnet, tryMultiQueue, false, false, false);
            if (tryVnet)
            {
                features = SetOffloads(fd, features);
            }

            return new TunDevice(fd, ifr.GetName(), features);
        }

        throw last ?? new NativeCallException("TUNSETIFF", Errno.EINVAL);
    }

    /// <summary>
    /// Opens one more queue of this IFF_MULTI_QUEUE device (TUNSETIFF with the device's name and flags on a new file,
    /// Documentation/networking/tuntap.rst, "Multiqueue tuntap interface"): a descriptor of its own, with the same
    /// features. The kernel spreads the packets it sends into the device among the queues by flow.
    /// </summary>
    public TunDevice AttachQueue()
    {
        if (!Features.MultiQueue)
        {
            throw new InvalidOperationException($"{Name} was not created with IFF_MULTI_QUEUE");
        }

        var fd = OpenControl();
        try
        {
            var ifr = default(InterfaceRequest);
            ifr.SetName(Name);
            ifr.Flags = (short)(Native.IFF_TUN | Native.IFF_NO_PI | Native.IFF_MULTI_QUEUE | (Features.VnetHeader ? Native.IFF_VNET_HDR : 0));
            if (Libc.Ioctl(fd, Native.TUNSETIFF, &ifr) != 0)
            {
                throw new NativeCallException($"TUNSETIFF({Name}, another queue)", LastError.Get());
            }

            return new TunDevice(fd, Name, Features);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>Reads one packet (with its virtio header when <see cref="TunFeatures.VnetHeader"/>); -1 with errno when none.</summary>
    internal int Read(byte* buffer, int capacity, out Errno error) => (int)SystemCalls.Read(Queue, buffer, capacity, out error);

    /// <summary>Writes one packet gathered from <paramref name="count"/> buffers.</summary>
    internal int Write(IoVec* iov, int count, out Errno error) => (int)SystemCalls.Writev(Queue, iov, count, out error);

    /// <inheritdoc />
    int IPacketSink.Write(IoVec* iov, int count, out Errno error) => Write(iov, count, out error);

    /// <inheritdoc />
    public void Dispose() => Queue.Dispose();

    private static FileDescriptorHandle OpenControl()
    {
        var fd = Libc.Open("/dev/net/tun", Native.O_RDWR | Native.O_NONBLOCK | Native.O_CLOEXEC, 0);
        if (fd.IsInvalid)
        {
            var error = LastError.Get();
            fd.Dispose();
            throw new NativeCallException("open(/dev/net/tun)", error);
        }

        return fd;
    }

    private static TunFeatures SetOffloads(FileDescriptorHandle fd, TunFeatures features)
    {
        int headerSize = VirtioNetHeader.Length;
        if (Libc.Ioctl(fd, Native.TUNSETVNETHDRSZ, &headerSize) != 0)
        {
            throw new NativeCallException("TUNSETVNETHDRSZ", LastError.Get());
        }

        // Most capable first; TSO needs CSUM (the kernel refuses TSO without it).
        ReadOnlySpan<uint> candidates =
        [
            Native.TUN_F_CSUM | Native.TUN_F_TSO4 | Native.TUN_F_TSO6 | Native.TUN_F_TSO_ECN,
            Native.TUN_F_CSUM | Native.TUN_F_TSO4 | Native.TUN_F_TSO6,
            Native.TUN_F_CSUM,
        ];
        foreach (var offload in candidates)
        {
            var value = offload;
            if (Libc.Ioctl(fd, Native.TUNSETOFFLOAD, (void*)value) == 0)
            {
                return features with
                {
                    Checksum = true,
                    Tso = (offload & Native.TUN_F_TSO4) != 0,
                    TsoEcn = (offload & Native.TUN_F_TSO_ECN) != 0,
                };
            }
        }

        return features;
    }
}
