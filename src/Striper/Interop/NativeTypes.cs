using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fleet.Striper.Interop;

// Layouts of the Linux x86-64/arm64 (LP64) structures the striper passes to the kernel.

/// <summary><c>struct iovec</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVec
{
    public void* Base;
    public nuint Length;
}

/// <summary><c>struct msghdr</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MessageHeader
{
    public void* Name;
    public uint NameLength;
    public IoVec* Iov;
    public nuint IovLength;
    public void* Control;
    public nuint ControlLength;
    public int Flags;
}

/// <summary><c>struct mmsghdr</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MultiMessageHeader
{
    public MessageHeader Header;
    public uint Length;
}

/// <summary><c>struct cmsghdr</c> (the data follows, aligned to 8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ControlMessageHeader
{
    public nuint Length;
    public int Level;
    public int Type;
}

/// <summary><c>struct pollfd</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short Revents;
}

/// <summary><c>struct timespec</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TimeSpec
{
    public long Seconds;
    public long Nanoseconds;
}

/// <summary><c>struct sock_filter</c>: one classic BPF instruction (linux/filter.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SocketFilterInstruction
{
    public ushort Code;
    public byte JumpTrue;
    public byte JumpFalse;
    public uint K;
}

/// <summary><c>struct sock_fprog</c>: a classic BPF program.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SocketFilterProgram
{
    public ushort Length;
    public SocketFilterInstruction* Filter;
}

/// <summary>Constants from the Linux uapi headers.</summary>
internal static class Native
{
    // fcntl.h
    public const int O_RDWR = 0x2;
    public const int O_RDONLY = 0x0;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    /// <summary><c>O_DIRECTORY</c>: its value differs between x86_64 and arm64, and .NET runs the agent on both.</summary>
    public static int O_DIRECTORY => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

    // poll.h
    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    // socket.h
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SO_SNDBUF = 7;
    public const int SO_RCVBUF = 8;
    public const int SO_REUSEPORT = 15;
    public const int SO_BINDTODEVICE = 25;
    public const int SO_SNDBUFFORCE = 32;
    public const int SO_RCVBUFFORCE = 33;
    public const int SO_ATTACH_REUSEPORT_CBPF = 51;
    public const int MSG_DONTWAIT = 0x40;

    // linux/bpf_common.h: classic BPF opcodes.
    public const ushort BPF_LD_W_ABS = 0x00 | 0x00 | 0x20;
    public const ushort BPF_ALU_MOD_K = 0x04 | 0x90 | 0x00;
    public const ushort BPF_RET_A = 0x06 | 0x10;
    public const int MSG_TRUNC = 0x20;
    public const int MSG_CTRUNC = 0x8;

    // in.h / in6.h
    public const int IPPROTO_IP = 0;
    public const int IPPROTO_IPV6 = 41;
    public const int IPPROTO_UDP = 17;
    public const int IP_MTU_DISCOVER = 10;
    public const int IP_PMTUDISC_DO = 2;
    public const int IPV6_MTU_DISCOVER = 23;
    public const int IPV6_V6ONLY = 26;
    public const int IPV6_PMTUDISC_DO = 2;

    // udp.h
    public const int UDP_SEGMENT = 103;
    public const int UDP_GRO = 104;

    // sched.h
    public const int CLONE_NEWNET = 0x40000000;

    // eventfd.h
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    // sockios.h
    public const ulong SIOCGIFFLAGS = 0x8913;
    public const ulong SIOCSIFFLAGS = 0x8914;
    public const ulong SIOCGIFMTU = 0x8921;
    public const ulong SIOCSIFMTU = 0x8922;
    public const ulong SIOCSIFTXQLEN = 0x8943;

    // if.h
    public const short IFF_UP = 0x1;
    public const short IFF_RUNNING = 0x40;
    public const int IFNAMSIZ = 16;

    // if_tun.h
    public const ulong TUNSETIFF = 0x400454ca;
    public const ulong TUNGETFEATURES = 0x800454cf;
    public const ulong TUNSETOFFLOAD = 0x400454d0;
    public const ulong TUNSETVNETHDRSZ = 0x400454d8;
    public const short IFF_TUN = 0x0001;
    public const short IFF_MULTI_QUEUE = 0x0100;
    public const short IFF_NO_PI = 0x1000;
    public const short IFF_VNET_HDR = 0x4000;
    public const uint TUN_F_CSUM = 0x01;
    public const uint TUN_F_TSO4 = 0x02;
    public const uint TUN_F_TSO6 = 0x04;
    public const uint TUN_F_TSO_ECN = 0x08;
}

/// <summary><c>struct ifreq</c> (40 bytes): a name and a union; we use the short flags, int (MTU) and queue length members.</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal unsafe struct InterfaceRequest
{
    [FieldOffset(0)]
    public fixed byte Name[16];

    [FieldOffset(16)]
    public short Flags;

    [FieldOffset(16)]
    public int Value;

    public void SetName(string name)
    {
        var length = System.Text.Encoding.ASCII.GetBytes(name, new Span<byte>(Unsafe.AsPointer(ref this), Native.IFNAMSIZ - 1));
        Name[length] = 0;
    }

    public readonly string GetName()
    {
        fixed (byte* p = Name)
        {
            return new string((sbyte*)p);
        }
    }
}
