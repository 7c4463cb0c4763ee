using System.Runtime.InteropServices;
using Fleet.Striper.Interop;

namespace Fleet.Striper.Engine.Receiving;

/// <summary>
/// The native buffers of one path's recvmmsg batch: a message header, a source-address buffer, a control-message
/// buffer and a datagram buffer per message, allocated once. <see cref="SegmentSize"/> reads the UDP_GRO control
/// message that says how a coalesced train is cut into datagrams.
/// </summary>
internal sealed unsafe class ReceiveRing : IDisposable
{
    private const int NameLength = 32;
    private const int ControlLength = 64;
    private readonly byte* _buffers;
    private readonly byte* _names;
    private readonly byte* _controls;
    private readonly IoVec* _iov;
    private readonly int _bufferLength;

    public ReceiveRing(int count, int bufferLength)
    {
        Count = count;
        _bufferLength = bufferLength;
        _buffers = (byte*)NativeMemory.AlignedAlloc((nuint)(count * bufferLength), 64);
        _names = (byte*)NativeMemory.AlignedAlloc((nuint)(count * NameLength), 64);
        _controls = (byte*)NativeMemory.AlignedAlloc((nuint)(count * ControlLength), 64);
        _iov = (IoVec*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(IoVec)), 64);
        Messages = (MultiMessageHeader*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(MultiMessageHeader)), 64);
        for (var i = 0; i < count; i++)
        {
            _iov[i].Base = _buffers + (i * bufferLength);
            _iov[i].Length = (nuint)bufferLength;
        }
    }

    public int Count { get; }

    public MultiMessageHeader* Messages { get; }

    public byte* Buffer(int i) => _buffers + (i * _bufferLength);

    public void Prepare()
    {
        for (var i = 0; i < Count; i++)
        {
            ref var m = ref Messages[i];
            m.Header.Name = _names + (i * NameLength);
            m.Header.NameLength = NameLength;
            m.Header.Iov = &_iov[i];
            m.Header.IovLength = 1;
            m.Header.Control = _controls + (i * ControlLength);
            m.Header.ControlLength = ControlLength;
            m.Header.Flags = 0;
            m.Length = 0;
        }
    }

    public static int SegmentSize(ref MessageHeader header, int length)
    {
        // The UDP_GRO control message gives the size of the datagrams in a coalesced train (udp(7)).
        var control = (byte*)header.Control;
        var end = control + header.ControlLength;
        while (control + sizeof(ControlMessageHeader) <= end)
        {
            var cmsg = (ControlMessageHeader*)control;
            if (cmsg->Length < (nuint)sizeof(ControlMessageHeader))
            {
                break;
            }

            if (cmsg->Level == Native.IPPROTO_UDP && cmsg->Type == Native.UDP_GRO)
            {
                var size = *(int*)(cmsg + 1);
                return size > 0 ? size : length;
            }

            control += (int)((cmsg->Length + 7) & ~(nuint)7);
        }

        return Math.Max(length, 1);
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_buffers);
        NativeMemory.AlignedFree(_names);
        NativeMemory.AlignedFree(_controls);
        NativeMemory.AlignedFree(_iov);
        NativeMemory.AlignedFree(Messages);
    }
}
