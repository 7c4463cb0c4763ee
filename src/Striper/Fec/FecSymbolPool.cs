namespace Fleet.Striper.Fec;

/// <summary>
/// The decoder's symbol buffers, by slot: a table that doubles up to <see cref="SymbolCount"/> slots, each buffer made
/// the first time its slot is taken (a link or aggregator site that is never sent FEC holds none, issue 17). After
/// that it allocates nothing. Receiving thread only.
/// </summary>
internal sealed class FecSymbolPool(int symbolSize)
{
    /// <summary>The most symbols held at once.</summary>
    public const int SymbolCount = 2048;

    private const int MinSymbolGrowth = 64;
    private byte[]?[] _symbols = [];
    private int[] _length = [];
    private int[] _free = [];
    private int _freeCount;

    /// <summary>Symbol buffers made so far (at most one per symbol held at once).</summary>
    public int Buffers { get; private set; }

    /// <summary>Takes a free slot, growing the table when none is; false when all <see cref="SymbolCount"/> are taken.</summary>
    public bool TryTake(out int slot)
    {
        if (_freeCount == 0 && _symbols.Length < SymbolCount)
        {
            Grow();
        }

        if (_freeCount == 0)
        {
            slot = -1;
            return false;
        }

        slot = _free[--_freeCount];
        if (_symbols[slot] is null)
        {
            _symbols[slot] = new byte[symbolSize];
            Buffers++;
        }

        return true;
    }

    /// <summary>The buffer of a taken slot.</summary>
    public byte[] Buffer(int slot) => _symbols[slot]!;

    /// <summary>How much of the slot's buffer its symbol fills.</summary>
    public ref int Length(int slot) => ref _length[slot];

    /// <summary>Gives a slot back.</summary>
    public void Return(int slot) => _free[_freeCount++] = slot;

    /// <summary>Doubles the table (up to <see cref="SymbolCount"/>); a symbol's buffer is made when it is first taken.</summary>
    private void Grow()
    {
        var old = _symbols.Length;
        var count = Math.Min(SymbolCount, Math.Max(MinSymbolGrowth, old * 2));
        Array.Resize(ref _symbols, count);
        Array.Resize(ref _length, count);
        Array.Resize(ref _free, count);
        for (var i = count - 1; i >= old; i--)
        {
            _free[_freeCount++] = i;
        }
    }
}
