using System.Runtime.InteropServices;

namespace Fleet.Striper.Reordering;

/// <summary>
/// Fixed-size packet buffers in native memory: the receive path decrypts each data packet straight into a slot, the
/// resequencer holds slot numbers, and the TUN writer gathers slots into one write and returns them. Each slot's
/// bookkeeping (length, checksum state, arrival, global sequence) lives here too, in arrays indexed by slot.
/// A pool may start with fewer slots than <see cref="MaxCount"/> and grow by doubling when every slot is in use (an
/// aggregator's site: most sites carry little, issue 17); the growth check is the empty pool's branch of
/// <see cref="Rent"/>, so a full-size pool pays nothing for it. The native memory for every slot is reserved at once
/// and never moves (a slot's pointer stays valid while another slot is rented); the kernel backs only the pages that
/// slots use. Used by one thread (the receive loop).
/// </summary>
internal sealed unsafe class PacketSlots : IDisposable
{
    /// <summary>Slots a pool that starts empty gets at its first rent.</summary>
    public const int MinGrowth = 64;

    private byte* _memory;
    private int[] _free;
    private int _freeCount;

    /// <param name="count">Most slots.</param>
    /// <param name="slotSize">Bytes per slot, headroom included.</param>
    /// <param name="headroom">Bytes in front of each packet (the receive path decrypts the data metadata there).</param>
    /// <param name="initialCount">Slots ready at once (all of them when null; 0 allocates nothing until the first rent).</param>
    public PacketSlots(int count, int slotSize, int headroom = 0, int? initialCount = null)
    {
        MaxCount = count;
        SlotSize = slotSize;
        Headroom = headroom;
        _free = [];
        Length = [];
        ChecksumPartial = [];
        Arrival = [];
        Global = [];
        var initial = Math.Clamp(initialCount ?? count, 0, count);
        if (initial > 0)
        {
            GrowTo(initial);
        }
    }

    /// <summary>Slots allocated so far (in use or free).</summary>
    public int Count { get; private set; }

    /// <summary>Most slots the pool grows to.</summary>
    public int MaxCount { get; }

    public int SlotSize { get; }

    /// <summary>Bytes in front of each packet.</summary>
    public int Headroom { get; }

    /// <summary>Largest packet a slot holds.</summary>
    public int Capacity => SlotSize - Headroom;

    /// <summary>Slots allocated and not in use.</summary>
    public int Available => _freeCount;

    /// <summary>Packet length stored in each slot.</summary>
    public int[] Length { get; private set; }

    /// <summary>Whether the packet in each slot still needs its TCP checksum (the sender left it partial).</summary>
    public bool[] ChecksumPartial { get; private set; }

    /// <summary>When the packet in each slot arrived (the resequencer's, in the clock's ticks).</summary>
    public long[] Arrival { get; private set; }

    /// <summary>The global sequence of the packet in each slot (the resequencer's).</summary>
    public ulong[] Global { get; private set; }

    /// <summary>Whether the slots' native memory is reserved (at the first slot allocated).</summary>
    public bool Reserved => _memory is not null;

    /// <summary>A free slot, or -1 when all <see cref="MaxCount"/> are in use.</summary>
    public int Rent() => _freeCount == 0 ? Grow() : _free[--_freeCount];

    public void Return(int slot) => _free[_freeCount++] = slot;

    /// <summary>Where the packet in <paramref name="slot"/> starts.</summary>
    public byte* Pointer(int slot) => _memory + ((long)slot * SlotSize) + Headroom;

    /// <summary>Where <paramref name="slot"/> starts, headroom included.</summary>
    public byte* Base(int slot) => _memory + ((long)slot * SlotSize);

    public Span<byte> Packet(int slot) => new(Pointer(slot), Length[slot]);

    public void Dispose()
    {
        if (_memory is not null)
        {
            NativeMemory.AlignedFree(_memory);
            _memory = null;
        }
    }

    /// <summary>Every slot is in use: doubles the pool (up to <see cref="MaxCount"/>) and rents a new slot, or returns -1.</summary>
    private int Grow()
    {
        if (Count == MaxCount)
        {
            return -1;
        }

        GrowTo(Math.Min(MaxCount, Math.Max(MinGrowth, Count * 2)));
        return _free[--_freeCount];
    }

    private void GrowTo(int count)
    {
        if (_memory is null)
        {
            _memory = (byte*)NativeMemory.AlignedAlloc((nuint)MaxCount * (nuint)SlotSize, 64);
        }

        var old = Count;
        var free = new int[count];
        _free.AsSpan(0, _freeCount).CopyTo(free);
        _free = free;
        Length = Resized(Length, count);
        ChecksumPartial = Resized(ChecksumPartial, count);
        Arrival = Resized(Arrival, count);
        Global = Resized(Global, count);

        // The lowest new slot on top, so the pool fills from the start of its memory.
        for (var i = count - 1; i >= old; i--)
        {
            _free[_freeCount++] = i;
        }

        Count = count;
    }

    private static T[] Resized<T>(T[] array, int count)
    {
        var resized = new T[count];
        array.CopyTo(resized, 0);
        return resized;
    }
}
