using System.Runtime.InteropServices;

namespace Fleet.Striper.Reordering;

/// <summary>
/// Fixed-size packet buffers in native memory, allocated once: the receive path decrypts each data packet straight
/// into a slot, the resequencer holds slot numbers, and the TUN writer gathers slots into one write and returns them.
/// Used by one thread (the receive loop).
/// </summary>
internal sealed unsafe class PacketSlots : IDisposable
{
    private readonly byte* _memory;
    private readonly int[] _free;
    private int _freeCount;

    /// <param name="count">Number of slots.</param>
    /// <param name="slotSize">Bytes per slot, headroom included.</param>
    /// <param name="headroom">Bytes in front of each packet (the receive path decrypts the data metadata there).</param>
    public PacketSlots(int count, int slotSize, int headroom = 0)
    {
        Count = count;
        SlotSize = slotSize;
        Headroom = headroom;
        _memory = (byte*)NativeMemory.AlignedAlloc((nuint)count * (nuint)slotSize, 64);
        _free = new int[count];
        Length = new int[count];
        ChecksumPartial = new bool[count];
        for (var i = 0; i < count; i++)
        {
            _free[i] = count - 1 - i;
        }

        _freeCount = count;
    }

    public int Count { get; }

    public int SlotSize { get; }

    /// <summary>Bytes in front of each packet.</summary>
    public int Headroom { get; }

    /// <summary>Largest packet a slot holds.</summary>
    public int Capacity => SlotSize - Headroom;

    /// <summary>Slots not in use.</summary>
    public int Available => _freeCount;

    /// <summary>Packet length stored in each slot.</summary>
    public int[] Length { get; }

    /// <summary>Whether the packet in each slot still needs its TCP checksum (the sender left it partial).</summary>
    public bool[] ChecksumPartial { get; }

    /// <summary>A free slot, or -1 when all are in use.</summary>
    public int Rent() => _freeCount == 0 ? -1 : _free[--_freeCount];

    public void Return(int slot) => _free[_freeCount++] = slot;

    /// <summary>Where the packet in <paramref name="slot"/> starts.</summary>
    public byte* Pointer(int slot) => _memory + ((long)slot * SlotSize) + Headroom;

    /// <summary>Where <paramref name="slot"/> starts, headroom included.</summary>
    public byte* Base(int slot) => _memory + ((long)slot * SlotSize);

    public Span<byte> Packet(int slot) => new(Pointer(slot), Length[slot]);

    public void Dispose() => NativeMemory.AlignedFree(_memory);
}
