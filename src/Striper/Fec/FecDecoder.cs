using System.Numerics;
using Fleet.Striper.Classes;

namespace Fleet.Striper.Fec;

/// <summary>Takes what the decoder recovered.</summary>
internal interface IRecoveredSink
{
    /// <summary>
    /// A data symbol (<see cref="FecSymbol"/>) of traffic class <paramref name="trafficClass"/> recovered from parity;
    /// false when it could not be delivered (malformed, or no buffer free): then it counts as lost after FEC.
    /// </summary>
    bool Recovered(int trafficClass, ReadOnlySpan<byte> symbol);
}

/// <summary>
/// The receiving side of FEC: keeps a copy of every protected data packet (as its symbol) and every parity packet of
/// the blocks in flight, and recovers a block's missing data packets as soon as it holds as many parity packets as
/// data packets are missing. Received packets are never held back for this: they go on at once, and a recovered
/// packet follows late (the resequencer delivers it at once too). A block falls due <see cref="DueDelayTicks"/> after
/// the decoder knows it closed (its first parity arrived, or a packet of the class's next block: a class's blocks close
/// in order, parity first); what it misses then counts as lost after FEC, which a later recovery or a late copy takes
/// back. A block is given up when it is older than <see cref="MaxAgeSeconds"/>, or when room is needed for newer ones.
/// Receiving thread only. Symbol buffers and block states are made the first time they are needed, up to their fixed
/// number (a link or aggregator site that is never sent FEC holds none, issue 17); after that it allocates nothing.
/// </summary>
internal sealed class FecDecoder
{
    /// <summary>Longer than any class's delay bound (at most 1 s) plus the paths' delay spread.</summary>
    public const double MaxAgeSeconds = 1.5;

    private const int BlockCount = 128;
    private readonly FecBlockState[] _blocks = new FecBlockState[BlockCount];
    private readonly int[] _missing = new int[CauchyCode.MaxParity];
    private readonly ClassRxCounters[] _counters;
    private readonly IRecoveredSink _sink;
    private readonly long _maxAgeTicks;
    private readonly FecSymbolPool _pool;
    private readonly FecRecovery _recovery;
    private int _blockCount;

    /// <param name="symbolSize">Largest symbol (at least the TUN MTU: a protected packet is at most the MTU minus the prefix).</param>
    /// <param name="counters">Per traffic class id: where recoveries and losses are counted.</param>
    /// <param name="sink">Where recovered symbols go.</param>
    /// <param name="maxAgeTicks">How old a block may get, in the clock's ticks.</param>
    public FecDecoder(int symbolSize, ClassRxCounters[] counters, IRecoveredSink sink, long maxAgeTicks)
    {
        SymbolSize = symbolSize;
        _counters = counters;
        _sink = sink;
        _maxAgeTicks = maxAgeTicks;
        _pool = new FecSymbolPool(symbolSize);
        _recovery = new FecRecovery(symbolSize);
    }

    public int SymbolSize { get; }

    /// <summary>
    /// How long after the decoder knows a block closed it falls due: the paths' delay spread, in which the rest of its
    /// parity arrives (the receive loop sets the resequencer's hold time, after which a recovery comes late anyway).
    /// </summary>
    public long DueDelayTicks { get; set; }

    /// <summary>Symbol buffers made so far (at most one per symbol held at once).</summary>
    public int SymbolBuffers => _pool.Buffers;

    /// <summary>Blocks in flight (for tests).</summary>
    public int OpenBlocks
    {
        get
        {
            var n = 0;
            foreach (var block in Blocks)
            {
                n += block.Used && !block.Done ? 1 : 0;
            }

            return n;
        }
    }

    /// <summary>
    /// A protected data packet arrived (the first copy): data index <paramref name="index"/> of block
    /// <paramref name="block"/>, planned with <paramref name="data"/> data and <paramref name="parity"/> parity packets. <paramref name="prefix"/> and
    /// <paramref name="packet"/> make its symbol. False when the FEC fields cannot be valid (the caller counts it).
    /// </summary>
    public bool OnData(int trafficClass, uint block, int index, int data, int parity, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> packet, long now)
    {
        if (index >= CauchyCode.MaxData || data > CauchyCode.MaxData || parity > CauchyCode.MaxParity || trafficClass >= _counters.Length
            || prefix.Length + packet.Length > SymbolSize)
        {
            return false;
        }

        if (parity == 0)
        {
            return true; // planned without parity: nothing to recover from, nothing to keep
        }

        var state = Find(trafficClass, block, now);
        if (state.Done || (state.DataMask & (1UL << index)) != 0)
        {
            return true;
        }

        if (state.CountedLost > 0 && index < (state.Data != 0 ? state.Data : Math.Max(state.Planned, state.Highest)))
        {
            // Counted lost when the block fell due, but here after all (a late copy).
            state.CountedLost--;
            _counters[trafficClass].FecLost--;
        }

        state.Planned = Math.Max(state.Planned, data);
        var slot = Take(state);
        var symbol = _pool.Buffer(slot);
        prefix.CopyTo(symbol);
        packet.CopyTo(symbol.AsSpan(prefix.Length));
        _pool.Length(slot) = prefix.Length + packet.Length;
        state.DataSymbol[index] = slot;
        state.DataMask |= 1UL << index;
        state.Highest = Math.Max(state.Highest, index + 1);
        TryRecover(state);
        return true;
    }

    /// <summary>
    /// A parity packet arrived: parity <paramref name="index"/> of block <paramref name="block"/>, which the sender
    /// closed with <paramref name="data"/> data packets. False when the FEC fields cannot be valid.
    /// </summary>
    public bool OnParity(int trafficClass, uint block, int index, int data, int parity, ReadOnlySpan<byte> payload, long now)
    {
        if (data is < 1 or > CauchyCode.MaxData || parity is < 1 or > CauchyCode.MaxParity || index >= parity
            || trafficClass >= _counters.Length || payload.Length > SymbolSize || payload.Length < FecSymbol.PrefixLength)
        {
            return false;
        }

        var state = Find(trafficClass, block, now);
        if (state.Done || (state.ParityMask & (1u << index)) != 0)
        {
            return true;
        }

        if (state.Data != 0 && (state.Data != data || state.Length != payload.Length))
        {
            return false; // disagrees with the block's other parity: not from an honest sender
        }

        if (state.DueAt == 0)
        {
            state.DueAt = now + DueDelayTicks;
        }

        var slot = Take(state);
        payload.CopyTo(_pool.Buffer(slot));
        _pool.Length(slot) = payload.Length;
        state.ParitySymbol[index] = slot;
        state.ParityMask |= 1u << index;
        state.Data = data;
        state.Length = payload.Length;
        TryRecover(state);
        return true;
    }

    /// <summary>Counts the losses of blocks that fell due and gives up blocks older than the age limit (the receive loop calls this every few milliseconds).</summary>
    public void Expire(long now)
    {
        foreach (var block in Blocks)
        {
            if (!block.Used)
            {
                continue;
            }

            if (now - block.Created > _maxAgeTicks)
            {
                Retire(block);
            }
            else if (!block.Done && !block.Counted && block.DueAt != 0 && now >= block.DueAt)
            {
                CountLost(block);
            }
        }
    }

    /// <summary>Forgets every block without counting (a new session numbers blocks anew).</summary>
    public void Reset()
    {
        foreach (var block in Blocks)
        {
            if (block.Used)
            {
                Release(block);
            }
        }
    }

    /// <summary>The block states made so far.</summary>
    private ReadOnlySpan<FecBlockState> Blocks => _blocks.AsSpan(0, _blockCount);

    private void TryRecover(FecBlockState block)
    {
        if (block.Data == 0)
        {
            return;
        }

        var missing = 0;
        for (var i = 0; i < block.Data && missing <= CauchyCode.MaxParity; i++)
        {
            if ((block.DataMask & (1UL << i)) == 0)
            {
                if (missing < CauchyCode.MaxParity)
                {
                    _missing[missing] = i;
                }

                missing++;
            }
        }

        if (missing == 0)
        {
            block.Done = true;
            ReleaseSymbols(block);
            return;
        }

        if (BitOperations.PopCount(block.ParityMask) < missing)
        {
            return;
        }

        var length = block.Length;
        if (_recovery.TrySolve(block, _missing.AsSpan(0, missing), _pool))
        {
            var counters = _counters[block.TrafficClass];
            counters.FecLost -= block.CountedLost; // recovered after it fell due: counted afresh below
            for (var b = 0; b < missing; b++)
            {
                if (_sink.Recovered(block.TrafficClass, _recovery.Recovered(b, length)))
                {
                    counters.FecRecovered++;
                }
                else
                {
                    counters.FecLost++;
                }
            }
        }

        block.Done = true;
        ReleaseSymbols(block);
    }

    private FecBlockState Find(int trafficClass, uint id, long now)
    {
        FecBlockState? free = null;
        FecBlockState? oldest = null;
        foreach (var block in Blocks)
        {
            if (!block.Used)
            {
                free ??= block;
                continue;
            }

            if (block.TrafficClass == trafficClass)
            {
                if (block.Id == id)
                {
                    return block;
                }

                if ((int)(id - block.Id) > 0 && block.DueAt == 0)
                {
                    // A newer block of the class: this one closed, its parity went out before this packet.
                    block.DueAt = now + DueDelayTicks;
                }
            }

            if (oldest is null || block.Created < oldest.Created)
            {
                oldest = block;
            }
        }

        var state = free;
        if (state is null && _blockCount < BlockCount)
        {
            state = _blocks[_blockCount++] = new FecBlockState();
        }
        else if (state is null)
        {
            Retire(oldest!);
            state = oldest!;
        }

        state.Start(trafficClass, id, now);
        return state;
    }

    private int Take(FecBlockState forBlock)
    {
        int slot;
        while (!_pool.TryTake(out slot))
        {
            // Out of room: the oldest block still holding symbols goes.
            FecBlockState? oldest = null;
            foreach (var block in Blocks)
            {
                if (block.Used && block.HoldsSymbols && block != forBlock && (oldest is null || block.Created < oldest.Created))
                {
                    oldest = block;
                }
            }

            Retire(oldest!);
        }

        forBlock.HoldsSymbols = true;
        return slot;
    }

    /// <summary>Ends a block for good, counting what it still missed as lost after FEC (unless counted when it fell due).</summary>
    private void Retire(FecBlockState block)
    {
        if (!block.Done && !block.Counted)
        {
            CountLost(block);
        }

        Release(block);
    }

    /// <summary>Counts what the block misses as lost after FEC; it stays, so late parity or copies still take it back.</summary>
    private void CountLost(FecBlockState block)
    {
        block.Counted = true;
        block.CountedLost = block.Missing();
        _counters[block.TrafficClass].FecLost += block.CountedLost;
    }

    private void Release(FecBlockState block)
    {
        ReleaseSymbols(block);
        block.Used = false;
    }

    private void ReleaseSymbols(FecBlockState block)
    {
        if (!block.HoldsSymbols)
        {
            return;
        }

        // The masks stay (a finished block still recognises late copies); only the symbols go back.
        var data = block.DataMask;
        while (data != 0)
        {
            var i = BitOperations.TrailingZeroCount(data);
            data &= data - 1;
            _pool.Return(block.DataSymbol[i]);
        }

        var parity = block.ParityMask;
        while (parity != 0)
        {
            var j = BitOperations.TrailingZeroCount(parity);
            parity &= parity - 1;
            _pool.Return(block.ParitySymbol[j]);
        }

        block.HoldsSymbols = false;
    }
}
