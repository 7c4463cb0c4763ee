using Fleet.Striper.Interop;

namespace Fleet.Striper.Tun;

/// <summary>
/// Interface settings through socket ioctls (<c>netdevice(7)</c>): they act in the network namespace of the socket,
/// so they work from a thread that entered a namespace just as from the host.
/// </summary>
public static unsafe class InterfaceControl
{
    /// <summary>Sets the MTU of <paramref name="name"/>.</summary>
    public static void SetMtu(string name, int mtu)
    {
        using var socket = ControlSocket();
        var ifr = default(InterfaceRequest);
        ifr.SetName(name);
        ifr.Value = mtu;
        if (Libc.Ioctl(socket, Native.SIOCSIFMTU, &ifr) != 0)
        {
            throw new NativeCallException($"SIOCSIFMTU({name}, {mtu})", LastError.Get());
        }
    }

    /// <summary>Reads the MTU of <paramref name="name"/>; null when the interface does not exist.</summary>
    public static int? GetMtu(string name)
    {
        using var socket = ControlSocket();
        var ifr = default(InterfaceRequest);
        ifr.SetName(name);
        return Libc.Ioctl(socket, Native.SIOCGIFMTU, &ifr) == 0 ? ifr.Value : null;
    }

    /// <summary>Sets the transmit queue length of <paramref name="name"/>.</summary>
    public static void SetTxQueueLength(string name, int length)
    {
        using var socket = ControlSocket();
        var ifr = default(InterfaceRequest);
        ifr.SetName(name);
        ifr.Value = length;
        if (Libc.Ioctl(socket, Native.SIOCSIFTXQLEN, &ifr) != 0)
        {
            throw new NativeCallException($"SIOCSIFTXQLEN({name})", LastError.Get());
        }
    }

    /// <summary>Brings <paramref name="name"/> administratively up.</summary>
    public static void SetUp(string name)
    {
        using var socket = ControlSocket();
        var ifr = default(InterfaceRequest);
        ifr.SetName(name);
        if (Libc.Ioctl(socket, Native.SIOCGIFFLAGS, &ifr) != 0)
        {
            throw new NativeCallException($"SIOCGIFFLAGS({name})", LastError.Get());
        }

        ifr.Flags |= Native.IFF_UP;
        if (Libc.Ioctl(socket, Native.SIOCSIFFLAGS, &ifr) != 0)
        {
            throw new NativeCallException($"SIOCSIFFLAGS({name})", LastError.Get());
        }
    }

    /// <summary>Whether <paramref name="name"/> is up with carrier (IFF_UP and IFF_RUNNING), asked through <paramref name="socket"/>.</summary>
    internal static bool IsRunning(FileDescriptorHandle socket, string name)
    {
        var ifr = default(InterfaceRequest);
        ifr.SetName(name);
        if (Libc.Ioctl(socket, Native.SIOCGIFFLAGS, &ifr) != 0)
        {
            return false;
        }

        const short upAndRunning = Native.IFF_UP | Native.IFF_RUNNING;
        return (ifr.Flags & upAndRunning) == upAndRunning;
    }

    private static FileDescriptorHandle ControlSocket()
    {
        var fd = Libc.Socket(Native.AF_INET, Native.SOCK_DGRAM | Native.SOCK_CLOEXEC, 0);
        if (fd.IsInvalid)
        {
            var error = LastError.Get();
            fd.Dispose();
            throw new NativeCallException("socket(AF_INET)", error);
        }

        return fd;
    }
}
